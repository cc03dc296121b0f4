import SparkConnect
import UserContract
import UserSinks

/// The users stream job: Kafka topic of user JSON → parsed rows → a sink (Cassandra by default).
///
/// Builds the same plan as the original PySpark job: readStream kafka (subscribe, earliest) →
/// `CAST(value AS STRING)` → `from_json` with the twelve string fields → `data.*` → writeStream.
struct UsersStreamJob: Sendable {
    /// Where records come from.
    struct Source: Sendable, Equatable {
        /// Source format (`kafka`, `text`, `json`, `rate`, …).
        var format: String
        /// Source options.
        var options: [String: String]
        /// Schema for sources that need one (files); nil lets the source decide (Kafka, rate).
        var schema: String?

        /// A source of `format` with `options`.
        init(format: String, options: [String: String], schema: String? = nil) {
            self.format = format
            self.options = options
            self.schema = schema
        }

        /// The Kafka topic, read from the earliest offset.
        static func kafka(bootstrapServers: String, topic: String = UsersCreatedContract.defaultTopic) -> Source {
            Source(format: "kafka", options: [
                "kafka.bootstrap.servers": bootstrapServers,
                "subscribe": topic,
                "startingOffsets": "earliest",
            ])
        }
    }

    /// Where rows go.
    struct Sink: Sendable, Equatable {
        /// Sink format (`org.apache.spark.sql.cassandra`, `json`, `parquet`, …).
        var format: String
        /// Sink options (`path` for file sinks).
        var options: [String: String]

        /// A sink of `format` with `options`.
        init(format: String, options: [String: String]) {
            self.format = format
            self.options = options
        }

        /// The Cassandra table, through the Spark Cassandra connector.
        static func cassandra(keyspace: String = CassandraSinkConfiguration.defaultKeyspace,
                          table: String = CassandraSinkConfiguration.defaultTable) -> Sink {
            Sink(format: "org.apache.spark.sql.cassandra", options: ["keyspace": keyspace, "table": table])
        }
    }

    /// The twelve fields of a user record, all strings.
    static let userSchema = StructType(User.CodingKeys.allCases.map { StructField($0.rawValue, .string, nullable: false) })

    /// Where records come from.
    var source: Source
    /// Where rows go.
    var sink: Sink
    /// Checkpoint directory (the `checkpointLocation` option).
    var checkpoint: String
    /// Schema of the JSON records.
    var schema: StructType
    /// When micro-batches run; nil runs them as fast as data comes.
    var trigger: Trigger?

    /// The job from `source` to `sink`.
    init(source: Source, sink: Sink, checkpoint: String, schema: StructType = Self.userSchema, trigger: Trigger? = nil) {
        self.source = source
        self.sink = sink
        self.checkpoint = checkpoint
        self.schema = schema
        self.trigger = trigger
    }

    /// The parsed user rows, as a streaming DataFrame.
    func users(in session: SparkSession) -> DataFrame {
        var reader = session.readStream.format(source.format).options(source.options)
        if let sourceSchema = source.schema { reader = reader.schema(sourceSchema) }
        return reader.load()
            .selectExpr("CAST(value AS STRING)")
            .select(Column.fromJSON(.col("value"), schema: schema).alias("data"))
            .select("data.*")
    }

    /// The writer that starts the job.
    func writer(in session: SparkSession) -> DataStreamWriter {
        var writer = users(in: session).writeStream.format(sink.format)
            .checkpoint(checkpoint)
            .options(sink.options)
        if let trigger { writer = writer.trigger(trigger) }
        return writer
    }

    /// Starts the job.
    func start(in session: SparkSession) async throws(SparkConnectError) -> StreamingQuery {
        try await writer(in: session).start()
    }
}
