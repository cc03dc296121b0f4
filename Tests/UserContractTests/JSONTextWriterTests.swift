import Foundation
import Testing
import UserContract

@Suite struct JSONTextWriterTests {
    /// Every control character, the quote, the backslash and non-ASCII text, as a JSON parser reads them back.
    static let awkward = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self) + "\"\\/ Zoë 😀 end"

    static func parsed(_ bytes: [UInt8]) throws -> String {
        try #require(JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed) as? String)
    }

    @Test func stringsRoundTripThroughAJSONParser() throws {
        var bytes: [UInt8] = []
        JSONTextWriter.appendString(Self.awkward, to: &bytes)
        #expect(try Self.parsed(bytes) == Self.awkward)
    }

    @Test func utf8BytesRoundTripThroughAJSONParser() throws {
        var bytes: [UInt8] = []
        Array(Self.awkward.utf8).withUnsafeBytes { JSONTextWriter.appendString(utf8: $0, to: &bytes) }
        #expect(try Self.parsed(bytes) == Self.awkward)
    }
}
