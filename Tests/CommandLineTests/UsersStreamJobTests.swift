import Testing
@testable import SparkConnect
@testable import userstream

/// The job's plan, built without a server.
@Suite struct UsersStreamJobTests {
    static func start(_ job: UsersStreamJob) async throws -> Spark_Connect_WriteStreamOperationStart {
        let session = try SparkSession(remote: "sc://127.0.0.1:1")
        let plan = job.writer(in: session).plan
        await session.close()
        return plan.command.writeStreamOperationStart
    }

    @Test func overridesReplaceSourceAndSinkAndSetTheTrigger() async throws {
        let start = try await Self.start(UsersStreamJob(
            source: .init(format: "text", options: ["path": "/in"], schema: "value STRING"),
            sink: .init(format: "parquet", options: ["path": "/out"]),
            checkpoint: "/ck",
            trigger: .processingTime("10 seconds")
        ))
        #expect(start.format == "parquet")
        #expect(start.options == ["path": "/out", "checkpointLocation": "/ck"])
        #expect(start.processingTimeInterval == "10 seconds")
        // input: data.* ← from_json alias ← CAST ← read
        let read = start.input.project.input.project.input.project.input.read
        #expect(read.isStreaming)
        #expect(read.dataSource.format == "text")
        #expect(read.dataSource.options == ["path": "/in"])
        #expect(read.dataSource.schema == "value STRING")
    }

    @Test func kafkaSourceReadsTheTopicFromTheEarliestOffset() async throws {
        let start = try await Self.start(UsersStreamJob(
            source: .kafka(bootstrapServers: "b1:9092,b2:9092"), sink: .cassandra(), checkpoint: "/ck"))
        let read = start.input.project.input.project.input.project.input.read
        #expect(read.dataSource.options == [
            "kafka.bootstrap.servers": "b1:9092,b2:9092", "subscribe": "users_created", "startingOffsets": "earliest",
        ])
        #expect(start.options == ["keyspace": "spark_streams", "table": "created_users", "checkpointLocation": "/ck"])
    }

    @Test func schemaJSONEscapesNames() {
        let schema = StructType([StructField(#"a"b"#, .long, nullable: true), StructField("c", .string, nullable: false)])
        #expect(schema.json == #"{"fields":[{"metadata":{},"name":"a\"b","nullable":true,"type":"long"},{"metadata":{},"name":"c","nullable":false,"type":"string"}],"type":"struct"}"#)
    }
}
