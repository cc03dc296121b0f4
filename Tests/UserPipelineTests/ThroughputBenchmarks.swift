import Foundation
import NIOCore
import Testing
@testable import UserContract
@testable import RandomUserAPI
@testable import StandInAPI
@testable import UserSinks

/// Throughput measurements, run on request only (`USERSTREAM_BENCHMARK=1 swift test -c release
/// --filter ThroughputBenchmarks`); they print rates and check only that the work was done.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["USERSTREAM_BENCHMARK"] == "1"))
struct ThroughputBenchmarks {
    func measure(_ label: String, items: Int, _ body: () throws -> Void) rethrows {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("benchmark \(label): \(items) in \(String(format: "%.3f", seconds)) s = \(Int(Double(items) / seconds)) per second")
    }

    @Test func standInPageGeneration() {
        var bytes = 0
        measure("stand-in API users generated (pages of 5000)", items: 100_000) {
            for page in 1...20 { bytes += RandomUserPageWriter.page(seed: "bench", page: page, count: 5000).count }
        }
        #expect(bytes > 100_000 * 900)
    }

    @Test func validation() throws {
        let body = RandomUserPageWriter.page(seed: "bench", page: 1, count: 5000)
        let response = try JSONDecoder().decode(RandomUserResponse.self, from: Data(body))
        let messages = try response.results.map { try UserFormatter.format(#require($0)).jsonBytes() }
        let validator = UserValidator()
        var valid = 0
        measure("validator records", items: messages.count * 40) {
            for _ in 0..<40 {
                for message in messages where (try? validator.validate(message).get()) != nil { valid += 1 }
            }
        }
        #expect(valid == messages.count * 40)
        var viaFoundation = 0
        measure("JSONSerialization parse of the same records (for comparison)", items: messages.count * 4) {
            for _ in 0..<4 {
                for message in messages where (try? JSONSerialization.jsonObject(with: Data(message))) is [String: Any] { viaFoundation += 1 }
            }
        }
        var viaDecoder = 0
        let decoder = JSONDecoder()
        measure("JSONDecoder decode of the same records (for comparison)", items: messages.count * 4) {
            for _ in 0..<4 {
                for message in messages where (try? decoder.decode(User.self, from: Data(message))) != nil { viaDecoder += 1 }
            }
        }
        #expect(viaFoundation == messages.count * 4 && viaDecoder == messages.count * 4)
    }

    @Test func encodingAndResponseDecoding() throws {
        let body = RandomUserPageWriter.page(seed: "bench", page: 1, count: 5000)
        var users: [User] = []
        try measure("randomuser response decoded + formatted (JSONDecoder)", items: 5000) {
            for _ in 0..<1 {
                let response = try JSONDecoder().decode(RandomUserResponse.self, from: Data(body))
                users = try response.results.map { try UserFormatter.format(#require($0)) }
            }
        }
        let buffer = ByteBuffer(bytes: body)
        try measure("randomuser response parsed + formatted (RandomUserClient.parse)", items: 5000 * 20) {
            for _ in 0..<20 {
                let response = try RandomUserClient.parse(buffer)
                users = try response.results.map { try UserFormatter.format(#require($0)) }
            }
        }
        var bytes = 0
        measure("User.jsonBytes encodings", items: users.count * 20) {
            for _ in 0..<20 { for user in users { bytes += user.jsonBytes().count } }
        }
        #expect(users.count == 5000 && bytes > 0)
    }

    @Test func sqliteUpserts() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("userstream-bench-\(UUID().uuidString)/users.db").path
        let sink = try SQLiteUserSink(path: path)
        var batches: [[User]] = []
        for page in 1...20 {
            let response = try JSONDecoder().decode(RandomUserResponse.self, from: Data(RandomUserPageWriter.page(seed: "sqlite", page: page, count: 1000)))
            batches.append(try response.results.map { try UserFormatter.format(#require($0)) })
        }
        let clock = ContinuousClock()
        let start = clock.now
        for batch in batches { try await sink.upsert(batch) }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("benchmark SQLite upserts (batches of 1000): 20000 in \(String(format: "%.3f", seconds)) s = \(Int(20_000 / seconds)) per second")
        let again = clock.now
        for batch in batches { try await sink.upsert(batch) }
        let replay = clock.now - again
        print("benchmark SQLite upserts of existing ids (batches of 1000): 20000 in \(replay)")
        #expect(try await sink.count() == 20_000)
        try await sink.close()
    }
}
