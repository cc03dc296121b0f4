import Foundation
import Testing
@testable import UserContract
import UserTestSupport

/// contract/users_created.schema.json — the schema the broker and the registry enforce — says what
/// `UserValidator` checks: the same twelve string fields, no others, and nothing the validator
/// accepts is refused by the schema's patterns.
@Suite struct UsersCreatedContractTests {
    static let contractPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("contract/users_created.schema.json")

    let text: String
    let schema: [String: Any]
    let properties: [String: [String: Any]]

    init() throws {
        text = try String(contentsOf: Self.contractPath, encoding: .utf8)
        schema = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        properties = try #require(schema["properties"] as? [String: [String: Any]])
    }

    func pattern(_ field: String) throws -> NSRegularExpression {
        try NSRegularExpression(pattern: try #require(properties[field]?["pattern"] as? String))
    }

    func matches(_ regex: NSRegularExpression, _ value: String) -> Bool {
        regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
    }

    @Test func theBinaryEmbedsTheCommittedFile() {
        // scripts/generate-contract.sh writes the file into a raw string; only its last newline is dropped.
        #expect(UsersCreatedContract.schemaText + "\n" == text)
    }

    @Test func twelveRequiredStringFieldsAndNoOthers() throws {
        #expect(schema["type"] as? String == "object")
        #expect(Set(properties.keys) == Set(User.fieldNames))
        #expect(schema["required"] as? [String] == User.fieldNames)
        for (field, property) in properties { #expect(property["type"] as? String == "string", "\(field)") }
        // The validator rejects unknown keys by default; so does the schema.
        #expect(schema["additionalProperties"] as? Bool == false)
        #expect(UserValidator().unknownFields == .reject)
    }

    @Test func everyRequiredFieldIsOneTheValidatorRequires() throws {
        for field in try #require(schema["required"] as? [String]) {
            #expect(UserValidator().validate(Fixtures.message(replacing: field)) == .failure(.missingField(field)))
            #expect(UserValidator().validate(Fixtures.message(replacing: field, with: "69001"))
                == .failure(.wrongType(field: field, found: .number)))
        }
    }

    @Test func idPatternAgreesWithTheValidator() throws {
        let regex = try pattern("id")
        #expect(properties["id"]?["format"] as? String == "uuid")
        for id in ["7a0eed16-9430-4d68-901f-c0d4c1c3bf00", "7A0EED16-9430-4D68-901F-C0D4C1C3BF00", "not-a-uuid", "",
                   "7a0eed1694304d68901fc0d4c1c3bf00", "{7a0eed16-9430-4d68-901f-c0d4c1c3bf00}", "7a0eed16-9430-4d68-901f-c0d4c1c3bf0g"] {
            let accepted = (try? UserValidator().validate(Fixtures.message(replacing: "id", with: "\"\(id)\"")).get()) != nil
            #expect(matches(regex, id) == accepted, "\(id)")
        }
    }

    @Test func whateverDateTheValidatorAcceptsThePatternAccepts() throws {
        for field in ["dob", "registered_date"] {
            let regex = try pattern(field)
            #expect(properties[field]?["format"] as? String == "date-time")
            for date in ["1992-03-08T15:13:16.688Z", "1992-03-08T15:13:16Z", "1992-03-08T15:13:16+05:30", "1992-03-08T15:13:16-0800",
                         "1992-03-08T15:13:16.123456789Z"] {
                #expect(FieldFormat.isDateTime(date) && matches(regex, date), "\(date)")
            }
            for date in ["yesterday", "1992-03-08", "1992-03-08 15:13:16Z", "1992-03-08T15:13:16", "1992-03-08T15:13:16.Z"] {
                #expect(!FieldFormat.isDateTime(date) && !matches(regex, date), "\(date)")
            }
        }
    }
}
