import Foundation
import NIOCore
import Testing
@testable import UserPipeline
@testable import UserContract
@testable import RandomUserAPI
@testable import StandInAPI
import UserTestSupport

@Suite struct UserFormatterTests {
    @Test func formatsBySeedRules() throws {
        let response = try Fixtures.response(Fixtures.randomUserJSON)
        let user = try UserFormatter.format(try #require(response.results.first ?? nil))
        #expect(user == Fixtures.user)
        #expect(response.info == .init(seed: "56d27f4a53bd5441", results: 1, page: 1, version: "1.4"))
    }

    @Test func postcodeNumberBecomesText() throws {
        let json = Fixtures.randomUserJSON.replacingOccurrences(of: "\"postcode\":63104", with: "\"postcode\":\"EC1A 1BB\"")
        let user = try UserFormatter.format(try #require(try Fixtures.response(json).results[0]))
        #expect(user.postCode == "EC1A 1BB")
        let numeric = try UserFormatter.format(try #require(try Fixtures.response(Fixtures.randomUserJSON).results[0]))
        #expect(numeric.postCode == "63104")
    }

    @Test func streetNumberAsStringIsAccepted() throws {
        let json = Fixtures.randomUserJSON.replacingOccurrences(of: "\"number\":8929", with: "\"number\":\"12B\"")
        let user = try UserFormatter.format(try #require(try Fixtures.response(json).results[0]))
        #expect(user.address == "12B Valwood Pkwy, Billings, Michigan, United States")
    }

    @Test func idIsLoginUUIDInLowercase() throws {
        let user = try UserFormatter.format(try #require(try Fixtures.response(Fixtures.randomUserJSON).results[0]))
        #expect(user.id == "7a0eed16-9430-4d68-901f-c0d4c1c3bf00")
    }

    @Test func fallbackIdIsStableNameBasedAndDiffersPerUser() throws {
        let noUUID = Fixtures.randomUserJSON.replacingOccurrences(
            of: "\"uuid\":\"7A0EED16-9430-4D68-901F-C0D4C1C3BF00\",", with: "")
        let first = try UserFormatter.format(try #require(try Fixtures.response(noUUID).results[0]))
        let again = try UserFormatter.format(try #require(try Fixtures.response(noUUID).results[0]))
        #expect(first.id == again.id)
        #expect(UUIDText.isUUIDText(first.id))
        let idBytes = Array(first.id.utf8)
        #expect(idBytes[14] == UInt8(ascii: "5"))  // version 5
        #expect([UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(idBytes[19]))
        let other = noUUID.replacingOccurrences(of: "zoe.nichols@example.com", with: "zoe.nichols2@example.com")
        let otherUser = try UserFormatter.format(try #require(try Fixtures.response(other).results[0]))
        #expect(otherUser.id != first.id)
        let invalidUUID = Fixtures.randomUserJSON.replacingOccurrences(
            of: "7A0EED16-9430-4D68-901F-C0D4C1C3BF00", with: "not-a-uuid")
        let fromInvalid = try UserFormatter.format(try #require(try Fixtures.response(invalidUUID).results[0]))
        #expect(fromInvalid.id == first.id)
    }

    @Test func nameBasedUUIDMatchesRFCExample() {
        // RFC 9562 appendix A.4: v5 of "www.example.com" in the DNS namespace.
        let dns = UUIDText.bytes(of: "6ba7b810-9dad-11d1-80b4-00c04fd430c8")
        #expect(UUIDText.nameBased(namespace: dns, name: "www.example.com") == "2ed6657d-e927-568b-95e1-2665a8aea6a2")
    }

    @Test func resultMissingWhatFormattingNeedsIsReported() throws {
        let json = Fixtures.randomUserJSON.replacingOccurrences(of: "\"email\":\"zoe.nichols@example.com\",", with: "")
        let result = try #require(try Fixtures.response(json).results[0])
        #expect(throws: UserFormatter.MissingField(path: "email")) { try UserFormatter.format(result) }
    }

    @Test func oddResultsDoNotSinkTheBatch() throws {
        let json = #"{"results":[42,{"gender":"male"},{"location":"nowhere","id":7}],"info":{"seed":"x"}}"#
        let response = try Fixtures.response(json)
        #expect(response.results.count == 3)
        #expect(response.results[0] == nil)
        #expect(response.results[1]?.gender == "male")
        #expect(response.results[2] != nil && response.results[2]?.location == nil)
    }

    @Test func usersAreFormattedAsTheyAreParsedAndOddResultsCounted() throws {
        let page = RandomUserPageWriter.page(seed: "stream", page: 2, count: 40)
        let batch = try RandomUserClient.users(in: ByteBuffer(bytes: page), reserving: 40)
        let viaResponse = try RandomUserClient.parse(ByteBuffer(bytes: page)).results.map { try UserFormatter.format(#require($0)) }
        #expect(batch.users == viaResponse && batch.invalidResults == 0 && batch.info?.page == 2)

        let odd = try RandomUserClient.users(in: ByteBuffer(string: #"{"results":[42,{"gender":"male"}]}"#), reserving: 2)
        #expect(odd.users.isEmpty && odd.invalidResults == 2)
    }

    @Test func ingestRecordsAreKeyedByIdWithTheContractJSON() {
        var second = Fixtures.user
        second.id = "5a1a9b1e-0000-4000-8000-000000000002"
        second.address = "Line \"two\""
        let records = UserIngest.records(for: [Fixtures.user, second], topic: "users")
        #expect(records.map { $0.key.map { String(buffer: $0) } } == [Fixtures.user.id, second.id])
        #expect(records.map { $0.value.map { Array($0.readableBytesView) } } == [Fixtures.user.jsonBytes(), second.jsonBytes()])
        #expect(records.allSatisfy { $0.topic == "users" })
    }

    @Test func contractJSONHasKeysInOrderAndRoundTrips() throws {
        var user = Fixtures.user
        user.address = "Line \"one\"\n\\two\u{1}"
        let bytes = user.jsonBytes()
        let text = String(decoding: bytes, as: UTF8.self)
        let keys = User.CodingKeys.allCases.map { "\"\($0.rawValue)\":" }
        let positions = keys.map { text.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
        #expect(try JSONDecoder().decode(User.self, from: Data(bytes)) == user)
        #expect(try JSONDecoder().decode(User.self, from: JSONEncoder().encode(user)) == user)
    }
}

