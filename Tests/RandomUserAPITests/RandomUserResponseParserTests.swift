import Foundation
import NIOCore
import Testing
@testable import UserContract
@testable import RandomUserAPI
@testable import StandInAPI
import UserTestSupport

@Suite struct RandomUserResponseParserTests {
    func parse(_ text: String) throws -> RandomUserResponse {
        try RandomUserClient.parse(ByteBuffer(string: text))
    }

    @Test func parsesTheFixtureLikeTheDecoder() throws {
        let response = try parse(Fixtures.randomUserJSON)
        #expect(try UserFormatter.format(try #require(response.results[0])) == Fixtures.user)
        #expect(response.info == .init(seed: "56d27f4a53bd5441", results: 1, page: 1, version: "1.4"))
    }

    @Test func agreesWithTheDecoderOnStandInPages() throws {
        let body = RandomUserPageWriter.page(seed: "agree", page: 4, count: 300)
        let viaDecoder = try JSONDecoder().decode(RandomUserResponse.self, from: Data(body))
        let viaParser = try RandomUserClient.parse(ByteBuffer(bytes: body))
        let decoded = try viaDecoder.results.map { try UserFormatter.format(try #require($0)) }
        let parsed = try viaParser.results.map { try UserFormatter.format(try #require($0)) }
        #expect(parsed == decoded)
        #expect(viaParser.info == viaDecoder.info)
    }

    @Test func lenientAboutOddResultsAndTypes() throws {
        let response = try parse(#"{"results":[42,{"gender":"male","name":7,"location":{"postcode":"EC1A 1BB","street":{"number":"12B"}}}],"info":null}"#)
        #expect(response.results.count == 2)
        #expect(response.results[0] == nil)
        #expect(response.results[1]?.gender == "male")
        #expect(response.results[1]?.name == nil)
        #expect(response.results[1]?.location?.postcode == .text("EC1A 1BB"))
        #expect(response.results[1]?.location?.street?.number == .text("12B"))
        #expect(response.info == nil)
    }

    @Test func escapesAreDecoded() throws {
        let response = try parse(#"{"results":[{"name":{"first":"Zo\u00eb \"Z\""}}]}"#)
        #expect(response.results[0]?.name?.first == "Zoë \"Z\"")
    }

    @Test func aNumberThatIsNoIntKeepsItsOwnDigits() throws {
        let response = try parse(#"{"results":[{"location":{"postcode":123456789012345678901234567890,"street":{"number":1.50}}}]}"#)
        #expect(response.results[0]?.location?.postcode?.text == "123456789012345678901234567890")
        #expect(response.results[0]?.location?.street?.number?.text == "1.50")
    }

    @Test func textThatIsNoTextIsLeftOutNotRepaired() throws {
        let escaped = try parse(#"{"results":[{"name":{"first":"Zo\ud800","last":"Ørsted"}}]}"#)
        #expect(escaped.results[0]?.name?.first == nil && escaped.results[0]?.name?.last == "Ørsted")
        var body = ByteBuffer(string: #"{"results":[{"name":{"first":""#)
        body.writeBytes([0xFF, 0xFE])
        body.writeString(#""}}]}"#)
        #expect(try RandomUserClient.parse(body).results[0]?.name?.first == nil)
    }

    @Test(arguments: ["null", "true", "{}"])
    func skippedResultsAreCountedByTheirFirstUnusableField(_ postcode: String) throws {
        let odd = Fixtures.randomUserJSON.replacingOccurrences(of: #""postcode":63104"#, with: #""postcode":\#(postcode)"#)
        #expect(odd != Fixtures.randomUserJSON)
        let batch = try RandomUserClient.users(in: ByteBuffer(string: odd), reserving: 1)
        #expect(batch.users.isEmpty && batch.invalidReasons == ["location.postcode": 1])
    }

    @Test(arguments: ["", "[]", "{\"results\":[{\"gender\":\"male\"}", "{\"info\":{}}", "{\"error\":\"Uh oh\"}", "{\"results\":[]} x"])
    func rejectsBrokenOrForeignBodies(_ text: String) {
        #expect(throws: FlatJSONScanner.SyntaxError.self) { try parse(text) }
    }

    @Test func truncatedStandInBodiesAreRejected() {
        let body = RandomUserPageWriter.page(seed: "cut", page: 1, count: 20)
        for length in stride(from: 1, to: body.count, by: 97) {
            #expect(throws: FlatJSONScanner.SyntaxError.self) { try RandomUserClient.parse(ByteBuffer(bytes: body.prefix(length))) }
        }
    }
}
