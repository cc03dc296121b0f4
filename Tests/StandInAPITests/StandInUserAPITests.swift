import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import UserContract
@testable import RandomUserAPI
@testable import StandInAPI
import UserTestSupport

@Suite struct StandInUserAPITests {
    func application(_ faults: FaultInjection = .none) -> some ApplicationProtocol {
        StandInUserAPI(configuration: .init(port: 0, faults: faults)).application()
    }

    func decode(_ body: ByteBuffer) throws -> RandomUserResponse {
        try JSONDecoder().decode(RandomUserResponse.self, from: Data(body.readableBytesView))
    }

    @Test func servesRandomUserShape() async throws {
        try await application().test(.router) { client in
            try await client.execute(uri: "/api/?results=3&seed=abc&page=2", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                let info = try #require(json["info"] as? [String: Any])
                #expect(info["seed"] as? String == "abc")
                #expect(info["results"] as? Int == 3)
                #expect(info["page"] as? Int == 2)
                #expect(info["version"] as? String == "1.4")
                let results = try #require(json["results"] as? [[String: Any]])
                #expect(results.count == 3)
                for result in results {
                    #expect(Set(result.keys) == ["gender", "name", "location", "email", "login", "dob", "registered", "phone",
                                                 "cell", "id", "picture", "nat"])
                    let login = try #require(result["login"] as? [String: Any])
                    #expect(Set(login.keys) == ["uuid", "username", "password", "salt", "md5", "sha1", "sha256"])
                    let uuid = try #require(login["uuid"] as? String)
                    #expect(UUIDText.canonical(uuid) == uuid)
                    #expect(Array(uuid.utf8)[14] == UInt8(ascii: "4"))
                    let location = try #require(result["location"] as? [String: Any])
                    #expect(Set(location.keys) == ["street", "city", "state", "country", "postcode", "coordinates", "timezone"])
                    let dob = try #require(result["dob"] as? [String: Any])
                    #expect(FieldFormat.isDateTime(try #require(dob["date"] as? String)))
                    #expect((try #require(dob["date"] as? String)).hasSuffix("Z"))
                }
            }
            try await client.execute(uri: "/api", method: .get) { response in
                let decoded = try decode(response.body)
                #expect(decoded.results.count == 1)
                #expect(decoded.info?.seed?.count == 16)
            }
        }
    }

    @Test func resultsAreClampedToTheAPILimits() async throws {
        try await application().test(.router) { client in
            try await client.execute(uri: "/api/?results=9999&seed=s", method: .get) { response in
                let decoded = try decode(response.body)
                #expect(decoded.results.count == 5000)
            }
            try await client.execute(uri: "/api/?results=0&seed=s", method: .get) { response in
                let decoded = try decode(response.body)
                #expect(decoded.results.count == 1)
            }
        }
    }

    @Test func deterministicPerSeedAndPage() throws {
        let first = RandomUserPageWriter.page(seed: "abc", page: 1, count: 50)
        #expect(first == RandomUserPageWriter.page(seed: "abc", page: 1, count: 50))
        #expect(first != RandomUserPageWriter.page(seed: "abc", page: 2, count: 50))
        #expect(first != RandomUserPageWriter.page(seed: "abd", page: 1, count: 50))
        // A user depends on its index, not on how many were asked for.
        let short = try JSONDecoder().decode(RandomUserResponse.self, from: Data(RandomUserPageWriter.page(seed: "abc", page: 1, count: 5)))
        let long = try JSONDecoder().decode(RandomUserResponse.self, from: Data(first))
        #expect(short.results.map { $0?.login?.uuid } == long.results.prefix(5).map { $0?.login?.uuid })
    }

    @Test func realisticVariety() throws {
        let response = try JSONDecoder().decode(RandomUserResponse.self, from: Data(RandomUserPageWriter.page(seed: "v", page: 1, count: 2000)))
        let postcodes = response.results.compactMap { $0?.location?.postcode }
        #expect(postcodes.contains { if case .integer = $0 { true } else { false } })
        #expect(postcodes.contains { if case .text(let text) = $0 { text.contains(" ") } else { false } })
        let names = response.results.compactMap { $0?.name?.first }
        #expect(names.contains { $0.unicodeScalars.contains { !$0.isASCII } })
        #expect(response.results.contains { $0?.id?.value == nil })
        let emails = response.results.compactMap { $0?.email }
        #expect(emails.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) && FieldFormat.isEmail($0) })
        let ids = Set(response.results.compactMap { $0?.login?.uuid })
        #expect(ids.count == 2000)
        #expect(Set(response.results.compactMap { $0?.gender }) == ["female", "male"])
    }

    @Test func civilDates() {
        #expect(RandomUserPageWriter.civil(fromDays: 0) == (1970, 1, 1))
        #expect(RandomUserPageWriter.civil(fromDays: -1) == (1969, 12, 31))
        #expect(RandomUserPageWriter.civil(fromDays: 11_016) == (2000, 2, 29))
    }

    @Test func injectsServerErrors() async throws {
        try await application(FaultInjection(errorRate: 1)).test(.router) { client in
            try await client.execute(uri: "/api/?results=1", method: .get) { response in
                #expect(response.status == .internalServerError)
            }
        }
    }

    @Test func injectsRateLimitsWithRetryAfter() async throws {
        try await application(FaultInjection(rateLimitRate: 1, retryAfterSeconds: 3)).test(.router) { client in
            try await client.execute(uri: "/api/?results=1", method: .get) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "3")
            }
        }
    }

    @Test func injectsTruncatedBodies() async throws {
        try await application(FaultInjection(truncateRate: 1)).test(.router) { client in
            try await client.execute(uri: "/api/?results=20&seed=t", method: .get) { response in
                #expect(response.status == .ok)
                let full = RandomUserPageWriter.page(seed: "t", page: 1, count: 20)
                let body = Array(response.body.readableBytesView)
                #expect(body.count < full.count && body.count > 0)
                #expect(Array(full.prefix(body.count)) == body)
                #expect(throws: (any Error).self) { try decode(response.body) }
            }
        }
    }

    @Test func faultDecisions() {
        let faults = FaultInjection(errorRate: 0.3, rateLimitRate: 0.1, truncateRate: 0.5)
        #expect(faults.decide(0.1, 0.9) == .serverError)
        #expect(faults.decide(0.35, 0.9) == .rateLimited)
        #expect(faults.decide(0.5, 0.9) == .serve)
        if case .truncate(let fraction) = faults.decide(0.5, 0.25) {
            #expect(fraction > 0.1 && fraction < 0.9)
        } else {
            Issue.record("expected a truncation")
        }
        #expect(FaultInjection.none.decide(0, 0) == .serve)
    }

    @Test func listensOnLoopbackAndReportsTheRealPort() async throws {
        let url = try await withStandInAPI { url in url }
        #expect(url.hasPrefix("http://127.0.0.1:"))
        #expect(url.hasSuffix("/api/"))
        #expect(!url.contains(":0/"))
    }
}
