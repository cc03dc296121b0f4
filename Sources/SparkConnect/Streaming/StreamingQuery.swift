/// A streaming query running on the server.
public struct StreamingQuery: Sendable {
    /// The session that started the query; only it can see the query.
    public let session: SparkSession
    /// The query's id, stable across restarts from the same checkpoint.
    public let id: String
    /// The id of this run.
    public let runID: String
    /// The query's name, empty when unnamed.
    public let name: String

    /// A handle on the query `id`/`runID` started in `session`.
    public init(session: SparkSession, id: String, runID: String, name: String = "") {
        self.session = session
        self.id = id
        self.runID = runID
        self.name = name
    }

    /// What the query is doing now.
    public struct Status: Sendable, Equatable {
        /// Spark's one-line summary (`Processing new data`, `Waiting for data to arrive`, …).
        public var message: String
        /// Whether the source has unprocessed data.
        public var isDataAvailable: Bool
        /// Whether a micro-batch is running.
        public var isTriggerActive: Bool
        /// Whether the query runs.
        public var isActive: Bool
    }

    /// The query's current status.
    public func status() async throws(SparkConnectError) -> Status {
        let result = try await command { $0.status = true }
        guard case .status(let status) = result.resultType else {
            throw .unexpectedResponse("query status returned no status")
        }
        return Status(message: status.statusMessage, isDataAvailable: status.isDataAvailable,
                      isTriggerActive: status.isTriggerActive, isActive: status.isActive)
    }

    /// The progress reports of recent micro-batches, as Spark's JSON.
    public func recentProgress() async throws(SparkConnectError) -> [String] {
        let result = try await command { $0.recentProgress = true }
        guard case .recentProgress(let progress) = result.resultType else { return [] }
        return progress.recentProgressJson
    }

    /// The error that ended the query, or nil while it runs or when it ended cleanly.
    public func exception() async throws(SparkConnectError) -> String? {
        let result = try await command { $0.exception = true }
        guard case .exception(let exception) = result.resultType, exception.hasExceptionMessage else { return nil }
        return exception.exceptionMessage
    }

    /// Stops the query.
    public func stop() async throws(SparkConnectError) {
        _ = try await command { $0.stop = true }
    }

    /// Waits until the query ends or `timeoutMilliseconds` pass; true when it ended.
    public func awaitTermination(timeoutMilliseconds: Int64? = nil) async throws(SparkConnectError) -> Bool {
        var wait = Spark_Connect_StreamingQueryCommand.AwaitTerminationCommand()
        if let timeoutMilliseconds { wait.timeoutMs = timeoutMilliseconds }
        let result = try await command { $0.awaitTermination = wait }
        guard case .awaitTermination(let outcome) = result.resultType else { return false }
        return outcome.terminated
    }

    /// Processes everything the source has now, then returns.
    public func processAllAvailable() async throws(SparkConnectError) {
        _ = try await command { $0.processAllAvailable = true }
    }

    private func command(
        _ body: (inout Spark_Connect_StreamingQueryCommand) -> Void
    ) async throws(SparkConnectError) -> Spark_Connect_StreamingQueryCommandResult {
        var command = Spark_Connect_StreamingQueryCommand()
        command.queryID.id = id
        command.queryID.runID = runID
        body(&command)
        var plan = Spark_Connect_Plan()
        plan.command.streamingQueryCommand = command
        guard let result = try await session.execute(plan).streamingQuery else {
            throw .unexpectedResponse("streaming query command returned no result")
        }
        return result
    }
}

extension SparkSession {
    /// The streaming queries active in this session.
    public func activeQueries() async throws(SparkConnectError) -> [StreamingQuery] {
        var command = Spark_Connect_StreamingQueryManagerCommand()
        command.active = true
        var plan = Spark_Connect_Plan()
        plan.command.streamingQueryManagerCommand = command
        guard case .active(let active)? = try await execute(plan).streamingQueryManager?.resultType else {
            throw .unexpectedResponse("listing queries returned no list")
        }
        return active.activeQueries.map { StreamingQuery(session: self, id: $0.id.id, runID: $0.id.runID, name: $0.name) }
    }
}
