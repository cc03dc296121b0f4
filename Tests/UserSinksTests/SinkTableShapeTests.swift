import Testing
import UserContract
@testable import UserSinks

@Suite struct SinkTableShapeTests {
    let expected = User.fieldNames

    func table(_ names: [String], key: [String] = ["id"], required: [String] = []) -> SinkTableShape {
        SinkTableShape(columns: names.map { .init(name: $0, isKey: key.contains($0), isRequired: required.contains($0)) })
    }

    @Test("the table setup creates fits; extra nullable columns and other letter case are fine")
    func fits() {
        #expect(table(expected, required: expected).differences(from: expected).isEmpty)
        #expect(table(expected.map { $0.uppercased() } + ["note"], key: ["ID"]).differences(from: expected).isEmpty)
    }

    @Test("a missing column, another key and an extra NOT NULL column without default are each named")
    func differences() {
        #expect(table(expected.filter { $0 != "dob" }).differences(from: expected) == ["missing column dob"])
        #expect(table(["rowkey"] + expected, key: ["rowkey"]).differences(from: expected) == ["its key is (rowkey) instead of id alone"])
        #expect(table(expected, key: []).differences(from: expected) == ["its key is none instead of id alone"])
        #expect(table(expected, key: ["id", "email"]).differences(from: expected) == ["its key is (id, email) instead of id alone"])
        #expect(table(expected + ["tenant"], required: ["tenant"]).differences(from: expected)
            == ["extra NOT NULL column without a default: tenant"])
    }
}
