import Foundation
import NIOCore
import Testing
@testable import UserContract
@testable import RandomUserAPI
@testable import StandInAPI
import UserTestSupport

@Suite struct UserValidatorTests {
    let validator = UserValidator()

    func reason(_ bytes: [UInt8]?, _ validator: UserValidator = UserValidator()) -> RejectionReason? {
        if case .failure(let reason) = validator.validate(bytes) { return reason }
        return nil
    }

    func reason(_ text: String) -> RejectionReason? { reason(Array(text.utf8)) }

    @Test func acceptsContractMessage() throws {
        let user = try validator.validate(Fixtures.user.jsonBytes()).get()
        #expect(user == Fixtures.user)
    }

    @Test func acceptsNonASCIIAndEscapes() throws {
        var user = Fixtures.user
        user.firstName = "Мирослава"
        user.lastName = "吴"
        user.address = "Çağlar Sk \"7\", Ådne\t😀"
        #expect(try validator.validate(user.jsonBytes()).get() == user)
        let escaped = Fixtures.message(replacing: "first_name", with: #""Zo\u00eb \ud83d\ude00 \/""#)
        #expect(try validator.validate(escaped).get().firstName == "Zoë 😀 /")
    }

    @Test func acceptsWhitespaceAnyKeyOrderAndByteBuffer() throws {
        let fields = User.CodingKeys.allCases.reversed().map { "\n  \"\($0.rawValue)\" : \"\(Fixtures.user[$0])\"" }
        let text = " {" + fields.joined(separator: " ,") + "\n} \n"
        #expect(try validator.validate(Array(text.utf8)).get() == Fixtures.user)
        #expect(try validator.validate(ByteBuffer(bytes: Fixtures.user.jsonBytes())).get() == Fixtures.user)
    }

    @Test func uppercaseIdIsCanonicalised() throws {
        let message = Fixtures.message(replacing: "id", with: "\"7A0EED16-9430-4D68-901F-C0D4C1C3BF00\"")
        #expect(try validator.validate(message).get().id == "7a0eed16-9430-4d68-901f-c0d4c1c3bf00")
    }

    @Test func nullAndEmptyAndOversizedValues() {
        #expect(reason(nil) == .nullValue)
        #expect(validator.validate(nil as ByteBuffer?) == .failure(.nullValue))
        #expect(reason([]) == .emptyValue)
        let small = UserValidator(maxValueBytes: 100)
        #expect(reason(Fixtures.user.jsonBytes(), small) == .oversizedValue(size: Fixtures.user.jsonBytes().count, limit: 100))
        #expect(UserValidator().maxValueBytes == 1 << 20)
    }

    @Test func aLoneSurrogateEscapeIsRejectedNotStoredAsReplacement() {
        for escape in [#""Zo\ud800""#, #""\udc00x""#, #""\ud800\u0041""#] {
            #expect(reason(Fixtures.message(replacing: "first_name", with: escape)) == .loneSurrogate(field: "first_name"))
        }
    }

    @Test func invalidUTF8() {
        var bytes = Fixtures.message(replacing: "first_name", with: "\"Zo\u{EB}\"")
        let offset = bytes.firstIndex(of: 0xC3)!
        bytes[offset + 1] = 0x28  // broken continuation byte
        #expect(reason(bytes) == .invalidUTF8(offset: offset))
        #expect(reason([0x7B, 0xED, 0xA0, 0x80, 0x7D]) == .invalidUTF8(offset: 1))  // encoded surrogate
        #expect(reason([0x22, 0xC0, 0xAF, 0x22]) == .invalidUTF8(offset: 1))  // overlong
    }

    @Test(arguments: ["{", "not json", "{\"id\":}", "{\"id\":\"x\" \"a\":1}", "{\"id\":\"x\"} trailing", "   ",
                      "{\"id\":\"a\u{1}b\"}", "{\"id\":\"\\q\"}", "{\"id\":01}", "{\"id\":tru}", "[1,2"])
    func notJSON(_ text: String) {
        #expect(reason(text)?.code == "not_json")
    }

    @Test func notObject() {
        #expect(reason("[1,2]") == .notObject(found: .array))
        #expect(reason(" \"text\" ") == .notObject(found: .string))
        #expect(reason("42") == .notObject(found: .number))
        #expect(reason("null") == .notObject(found: .null))
    }

    @Test func missingField() {
        #expect(reason(Fixtures.message(replacing: "email")) == .missingField("email"))
        #expect(reason("{}") == .missingField("id"))
    }

    @Test func unknownFieldRejectedOrIgnored() throws {
        let message = Fixtures.message(extra: "\"nickname\":\"zo\"")
        #expect(reason(message) == .unknownField("nickname"))
        let lenient = UserValidator(unknownFields: .ignore)
        #expect(try lenient.validate(message).get() == Fixtures.user)
    }

    @Test func duplicateField() {
        #expect(reason(Fixtures.message(extra: "\"email\":\"x@example.com\"")) == .duplicateField("email"))
    }

    @Test func wrongTypes() {
        #expect(reason(Fixtures.message(replacing: "post_code", with: "63104")) == .wrongType(field: "post_code", found: .number))
        #expect(reason(Fixtures.message(replacing: "gender", with: "true")) == .wrongType(field: "gender", found: .boolean))
        #expect(reason(Fixtures.message(replacing: "address", with: "{\"street\":\"x\"}")) == .wrongType(field: "address", found: .object))
        #expect(reason(Fixtures.message(replacing: "phone", with: "[\"1\"]")) == .wrongType(field: "phone", found: .array))
    }

    @Test func nullField() {
        #expect(reason(Fixtures.message(replacing: "dob", with: "null")) == .nullField("dob"))
    }

    @Test func idProblems() {
        #expect(reason(Fixtures.message(replacing: "id", with: "\"\"")) == .emptyID)
        #expect(reason(Fixtures.message(replacing: "id", with: "\"7a0eed16-9430-4d68-901f\"")) == .invalidID("7a0eed16-9430-4d68-901f"))
        #expect(reason(Fixtures.message(replacing: "id", with: "\"7a0eed16x9430-4d68-901f-c0d4c1c3bf00\""))?.code == "invalid_id")
    }

    @Test(arguments: ["", "plain", "@example.com", "a@b", "a b@example.com", "a@example.", "a@.com", "a@b@c.com"])
    func invalidEmail(_ email: String) {
        #expect(reason(Fixtures.message(replacing: "email", with: "\"\(email)\"")) == .invalidEmail(email))
    }

    @Test(arguments: ["1992-03-08", "1992-03-08T15:13:16", "1992-13-08T15:13:16Z", "1993-02-29T00:00:00Z",
                      "1992-03-08 15:13:16Z", "1992-03-08T25:13:16.688Z", "1992-03-08T15:13:16.Z", "yesterday"])
    func invalidDates(_ date: String) {
        #expect(reason(Fixtures.message(replacing: "dob", with: "\"\(date)\"")) == .invalidDate(field: "dob", value: date))
        #expect(reason(Fixtures.message(replacing: "registered_date", with: "\"\(date)\""))
            == .invalidDate(field: "registered_date", value: date))
    }

    @Test(arguments: ["1992-03-08T15:13:16Z", "1992-03-08T15:13:16.688Z", "1992-03-08T15:13:16+02:00",
                      "1992-03-08T15:13:16.123456-0530", "2000-02-29T00:00:00Z"])
    func validDates(_ date: String) throws {
        #expect(try validator.validate(Fixtures.message(replacing: "dob", with: "\"\(date)\"")).get().dob == date)
    }

    @Test func fieldTooLong() {
        let long = String(repeating: "é", count: 600)  // 1200 UTF-8 bytes
        #expect(reason(Fixtures.message(replacing: "address", with: "\"\(long)\""))
            == .fieldTooLong(field: "address", length: 1200, limit: 1024))
    }

    @Test func codesAreStableAndMessagesSayWhat() {
        let reasons: [RejectionReason] = [
            .nullValue, .emptyValue, .oversizedValue(size: 2, limit: 1), .invalidUTF8(offset: 0), .notJSON(offset: 0, detail: "x"),
            .notObject(found: .array), .missingField("id"), .unknownField("x"), .duplicateField("id"),
            .wrongType(field: "id", found: .number), .nullField("id"), .emptyID, .invalidID("x"), .invalidEmail("x"),
            .invalidDate(field: "dob", value: "x"), .fieldTooLong(field: "id", length: 2, limit: 1), .loneSurrogate(field: "id"),
            .sinkRejected("CHECK constraint failed"),
        ]
        #expect(reasons.map(\.code) == [
            "null_value", "empty_value", "oversized_value", "invalid_utf8", "not_json", "not_object", "missing_field",
            "unknown_field", "duplicate_field", "wrong_type", "null_field", "empty_id", "invalid_id", "invalid_email",
            "invalid_date", "field_too_long", "lone_surrogate", "sink_rejected",
        ])
        #expect(RejectionReason.sinkRejected("CHECK constraint failed").message == "CHECK constraint failed")
        #expect(RejectionReason.wrongType(field: "post_code", found: .number).message
            == "field \"post_code\" is a number; the contract requires a string")
        #expect(RejectionReason.invalidID(String(repeating: "x", count: 500)).message.count < 120)
    }

    @Test func everyStandInUserValidates() throws {
        let body = RandomUserPageWriter.page(seed: "validate", page: 1, count: 500)
        let response = try JSONDecoder().decode(RandomUserResponse.self, from: Data(body))
        for result in response.results {
            let user = try UserFormatter.format(try #require(result))
            #expect(try validator.validate(user.jsonBytes()).get() == user)
        }
    }
}
