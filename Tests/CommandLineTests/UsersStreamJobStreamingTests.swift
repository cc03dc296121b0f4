import Foundation
import Testing
@testable import SparkConnect
import SparkConnectTestSupport
@testable import userstream

@Suite(.enabled(if: SparkServer.available, "needs SPARK_REMOTE; run scripts/test.sh, which starts one"))
struct UsersStreamJobStreamingTests {
    static func user(_ n: Int) -> String {
        #"{"id":"id-\#(n)","first_name":"First\#(n)","last_name":"Last\#(n)","gender":"female","address":"\#(n) Main St","post_code":"\#(1000 + n)","email":"user\#(n)@example.com","username":"user\#(n)","dob":"1990-01-02","registered_date":"2020-03-04","phone":"555-\#(n)","picture":"p\#(n).jpg"}"#
    }

    @Test func jobFromTextFilesWritesWellFormedJSONRows() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("spark-stream-\(UUID().uuidString)")
        let input = base.appendingPathComponent("input")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        let lines = (1...20).map(Self.user).joined(separator: "\n") + "\n"
        try lines.write(to: input.appendingPathComponent("users.json"), atomically: true, encoding: .utf8)
        let output = base.appendingPathComponent("output").path

        let rows = try await withSparkSession(remote: SparkServer.remote!) { session in
            let job = UsersStreamJob(
                source: .init(format: "text", options: ["path": input.path]),
                sink: .init(format: "json", options: ["path": output]),
                checkpoint: base.appendingPathComponent("checkpoint").path,
                trigger: .processingTime("1 second")
            )
            let query = try await job.start(in: session)
            try await query.processAllAvailable()
            let status = try await query.status()
            #expect(status.isActive)
            #expect(try await !query.recentProgress().isEmpty)
            try await query.stop()
            #expect(try await query.awaitTermination(timeoutMilliseconds: 60_000))
            return try await session.read.format("json").schema(UsersStreamJob.userSchema).load(output)
                .selectExpr("id", "email", "post_code").collect()
        }
        let sorted = rows.sorted { $0["post_code"]!.description < $1["post_code"]!.description }
        #expect(sorted.count == 20)
        #expect(sorted.first?.values == [.string("id-1"), .string("user1@example.com"), .string("1001")])
        #expect(sorted.allSatisfy { row in row.values.allSatisfy { $0 != .null } })
    }

    @Test func unknownSinkFormatIsAClearError() async throws {
        let error = await #expect(throws: SparkConnectError.self) {
            try await withSparkSession(remote: SparkServer.remote!) { session in
                try await UsersStreamJob(
                    source: .init(format: "rate", options: [:]),
                    sink: .init(format: "no.such.sink", options: [:]),
                    checkpoint: "/tmp/spark-unknown-sink-\(UUID().uuidString)"
                ).start(in: session)
            }
        }
        #expect("\(String(describing: error))".contains("no.such.sink"))
    }
}
