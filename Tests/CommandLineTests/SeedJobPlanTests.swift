import Foundation
import SwiftProtobuf
import Testing
@testable import SparkConnect
import SparkConnectTestSupport
@testable import userstream

/// The Kafka → Cassandra job cannot run here (no connectors), so its plan is compared with the
/// plan pyspark's own Spark Connect client builds for the same job.
@Suite(.enabled(if: PySpark.available, "needs pyspark in .venv-spark; run scripts/spark-connect.sh setup"))
struct SeedJobPlanTests {
    @Test func planEqualsPySparksPlan() async throws {
        // A fresh session numbers its relations from 0, like a fresh pyspark process.
        let session = try SparkSession(remote: "sc://127.0.0.1:1")
        let job = UsersStreamJob(
            source: .kafka(bootstrapServers: "kafka:9092"),
            sink: .cassandra(),
            checkpoint: "/tmp/checkpoint"
        )
        let plan = job.writer(in: session).plan
        await session.close()
        let bytes: [UInt8] = try plan.serializedBytes()
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let result = try await PySpark.run("seed_job_plan.py", [
            "--bootstrap-servers", "kafka:9092", "--checkpoint", "/tmp/checkpoint", "--compare", hex,
        ])
        #expect(result.status == 0, "\(result.output)")
    }
}
