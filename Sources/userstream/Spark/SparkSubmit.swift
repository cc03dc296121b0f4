import ArgumentParser
import Kafka
import SparkConnect
import UserContract
import UserSinks

/// `userstream spark submit`: builds and starts the users stream job.
struct SparkSubmit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Start the users stream job (Kafka users_created → Cassandra spark_streams.created_users) on Spark."
    )

    @OptionGroup var connection: SparkRemoteOptions

    @Option(help: "Kafka brokers, as Spark's Kafka source sees them.")
    var bootstrapServers = "localhost:9092"

    @Option(help: "Kafka topic to read.")
    var topic = UsersCreatedContract.defaultTopic

    @Option(help: "Checkpoint directory, on storage the Spark driver and executors share.")
    var checkpoint = "/tmp/checkpoint"

    @Option(help: "Cassandra keyspace.")
    var keyspace = CassandraSinkConfiguration.defaultKeyspace

    @Option(help: "Cassandra table.")
    var table = CassandraSinkConfiguration.defaultTable

    @Option(help: "Read another source format instead of kafka (its rows need a string `value` column).")
    var source: String?

    @Option(name: .customLong("source-option"), help: "An option for --source, key=value (repeatable).")
    var sourceOptions: [String] = []

    @Option(help: "Schema of the --source rows, as DDL (e.g. \"value STRING\").")
    var sourceSchema: String?

    @Option(help: "Write to another sink format instead of Cassandra (json, parquet, console, …).")
    var sink: String?

    @Option(name: .customLong("sink-option"), help: "An option for --sink, key=value (repeatable).")
    var sinkOptions: [String] = []

    @Option(help: "Micro-batch interval, e.g. \"10 seconds\" (default: as fast as data comes).")
    var trigger: String?

    @Flag(help: "Return once the query started instead of staying attached until it ends.")
    var detach = false

    func job() throws -> UsersStreamJob {
        let jobSource: UsersStreamJob.Source = if let source {
            .init(format: source, options: try keyValues(sourceOptions, flag: "--source-option"), schema: sourceSchema)
        } else {
            .kafka(bootstrapServers: bootstrapServers, topic: topic)
        }
        let jobSink: UsersStreamJob.Sink = if let sink {
            .init(format: sink, options: try keyValues(sinkOptions, flag: "--sink-option"))
        } else {
            .cassandra(keyspace: keyspace, table: table)
        }
        return UsersStreamJob(source: jobSource, sink: jobSink, checkpoint: checkpoint,
                              trigger: trigger.map { .processingTime($0) })
    }

    func validate() throws {
        try TopicName.validate(topic, from: "--topic")
    }

    func run() async throws {
        let job = try job()
        let session = try SparkSession(remote: connection.remote)
        try await closing(session.close) {
            let query = try await job.start(in: session)
            let rejoin = "sc://\(session.address.host):\(session.address.port)/;session_id=\(session.sessionID)"
            print("started query \(query.id) run \(query.runID)")
            print("status: userstream spark status --remote '\(rejoin)'")
            if !detach {
                // Staying attached keeps the Spark Connect session, and so the query, alive.
                while try await !query.awaitTermination(timeoutMilliseconds: 30_000) {}
                if let failure = try await query.exception() {
                    throw ValidationError("the query failed: \(failure)")
                }
            }
        }
    }
}
