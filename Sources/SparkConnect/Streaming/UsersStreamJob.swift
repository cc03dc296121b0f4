/// The users stream job: Kafka topic of user JSON → parsed rows → a sink (Cassandra by default).
///
/// Builds the same plan as the original PySpark job: readStream kafka (subscribe, earliest) →
/// `CAST(value AS STRING)` → `from_json` with the twelve string fields → `data.*` → writeStream.
public struct UsersStreamJob: Sendable {
    /// Where records come from.
    public struct Source: Sendable, Equatable {
        /// Source format (`kafka`, `text`, `json`, `rate`, …).
        public var format: String
        /// Source options.
        public var options: [String: String]
        /// Schema for sources that need one (files); nil lets the source decide (Kafka, rate).
        public var schema: String?

        /// A source of `format` with `options`.
        public init(format: String, options: [String: String], schema: String? = nil) {
            self.format = format
            self.options = options
            self.schema = schema
        }

        /// The Kafka topic, read from the earliest offset.
        public static func kafka(bootstrapServers: String, topic: String = "users_created") -> Source {
            Source(format: "kafka", options: [
                "kafka.bootstrap.servers": bootstrapServers,
                "subscribe": topic,
                "startingOffsets": "earliest",
            ])
        }
    }

    /// Where rows go.
    public struct Sink: Sendable, Equatable {
        /// Sink format (`org.apache.spark.sql.cassandra`, `json`, `parquet`, …).
        public var format: String
        /// Sink options (`path` for file sinks).
        public var options: [String: String]

        /// A sink of `format` with `options`.
        public init(format: String, options: [String: String]) {
            self.format = format
            self.options = options
        }

        /// The Cassandra table, through the Spark Cassandra connector.
        public static func cassandra(keyspace: String = "spark_streams", table: String = "created_users") -> Sink {
            Sink(format: "org.apache.spark.sql.cassandra", options: ["keyspace": keyspace, "table": table])
        }
    }

    /// The twelve fields of a user record, all strings.
    public static let userSchema = StructType(
        ["id", "first_name", "last_name", "gender", "address", "post_code", "email", "username",
         "dob", "registered_date", "phone", "picture"].map { StructField($0, .string, nullable: false) }
    )

    /// Where records come from.
    public var source: Source
    /// Where rows go.
    public var sink: Sink
    /// Checkpoint directory (the `checkpointLocation` option).
    public var checkpoint: String
    /// Schema of the JSON records.
    public var schema: StructType
    /// When micro-batches run; nil runs them as fast as data comes.
    public var trigger: Trigger?

    /// The job from `source` to `sink`.
    public init(source: Source, sink: Sink, checkpoint: String, schema: StructType = Self.userSchema, trigger: Trigger? = nil) {
        self.source = source
        self.sink = sink
        self.checkpoint = checkpoint
        self.schema = schema
        self.trigger = trigger
    }

    /// The parsed user rows, as a streaming DataFrame.
    public func users(in session: SparkSession) -> DataFrame {
        var reader = session.readStream.format(source.format).options(source.options)
        if let sourceSchema = source.schema { reader = reader.schema(sourceSchema) }
        return reader.load()
            .selectExpr("CAST(value AS STRING)")
            .select(Column.fromJSON(.col("value"), schema: schema).alias("data"))
            .select("data.*")
    }

    /// The writer that starts the job.
    public func writer(in session: SparkSession) -> DataStreamWriter {
        var writer = users(in: session).writeStream.format(sink.format)
            .checkpoint(checkpoint)
            .options(sink.options)
        if let trigger { writer = writer.trigger(trigger) }
        return writer
    }

    /// Starts the job.
    public func start(in session: SparkSession) async throws(SparkConnectError) -> StreamingQuery {
        try await writer(in: session).start()
    }
}
