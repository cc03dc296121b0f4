/// When a streaming query runs its micro-batches.
public enum Trigger: Sendable, Equatable {
    /// Every interval, e.g. `"10 seconds"`.
    case processingTime(String)
    /// Everything available now, in as many batches as needed, then stop.
    case availableNow
    /// One batch, then stop.
    case once
    /// Continuous processing, checkpointing every interval.
    case continuous(String)
}

/// Configures and starts a streaming query.
public struct DataStreamWriter: Sendable {
    let input: DataFrame
    private var sink: String?
    private var options: [String: String] = [:]
    private var outputMode: String?
    private var trigger: Trigger?
    private var queryName: String?

    init(input: DataFrame) {
        self.input = input
    }

    /// The sink format: `org.apache.spark.sql.cassandra`, `json`, `parquet`, `console`, ….
    public func format(_ sink: String) -> DataStreamWriter {
        var copy = self
        copy.sink = sink
        return copy
    }

    /// A sink option.
    public func option(_ key: String, _ value: String) -> DataStreamWriter {
        var copy = self
        copy.options[key] = value
        return copy
    }

    /// Sink options.
    public func options(_ options: [String: String]) -> DataStreamWriter {
        var copy = self
        copy.options.merge(options) { $1 }
        return copy
    }

    /// `append`, `complete` or `update`.
    public func outputMode(_ mode: String) -> DataStreamWriter {
        var copy = self
        copy.outputMode = mode
        return copy
    }

    /// When micro-batches run.
    public func trigger(_ trigger: Trigger) -> DataStreamWriter {
        var copy = self
        copy.trigger = trigger
        return copy
    }

    /// Where the query keeps its progress, so a restart resumes (the `checkpointLocation` option).
    public func checkpoint(_ location: String) -> DataStreamWriter {
        option("checkpointLocation", location)
    }

    /// The query's name.
    public func queryName(_ name: String) -> DataStreamWriter {
        var copy = self
        copy.queryName = name
        return copy
    }

    /// The plan that starts the query.
    public var plan: Spark_Connect_Plan {
        var start = Spark_Connect_WriteStreamOperationStart()
        start.input = input.relation
        if let sink { start.format = sink }
        start.options = options
        if let outputMode { start.outputMode = outputMode }
        if let queryName { start.queryName = queryName }
        switch trigger {
        case .processingTime(let interval): start.processingTimeInterval = interval
        case .availableNow: start.availableNow = true
        case .once: start.once = true
        case .continuous(let interval): start.continuousCheckpointInterval = interval
        case nil: break
        }
        var plan = Spark_Connect_Plan()
        plan.command.writeStreamOperationStart = start
        return plan
    }

    /// Starts the query on the server.
    public func start() async throws(SparkConnectError) -> StreamingQuery {
        let result = try await input.session.execute(plan)
        guard let started = result.writeStreamStart else {
            throw .unexpectedResponse("starting the stream returned no query id")
        }
        return StreamingQuery(session: input.session, id: started.queryID.id, runID: started.queryID.runID, name: started.name)
    }
}
