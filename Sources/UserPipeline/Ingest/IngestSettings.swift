import UserContract

/// How long `produce` runs and how hard it pulls on the API.
public struct IngestSettings: Sendable {
    /// When to stop fetching.
    public enum Stop: Sendable, Equatable {
        /// Fetch until this much time has passed (the seed ran for 60 s).
        case after(Duration)
        /// Fetch until exactly this many users have been published.
        case count(Int)
    }

    /// The topic users are published to.
    public var topic: String
    public var stop: Stop
    /// Users asked for per API request (`results=N`, 1…5000).
    public var batchSize: Int
    /// API requests in flight at once.
    public var concurrency: Int
    /// Failed API requests in a row (each after its own retries) before giving up.
    public var maxConsecutiveFetchFailures: Int

    /// Settings for publishing to `topic` until `stop`.
    public init(topic: String = UsersCreatedContract.defaultTopic, stop: Stop = .after(.seconds(60)), batchSize: Int = 500,
                concurrency: Int = 4, maxConsecutiveFetchFailures: Int = 5) {
        self.topic = topic
        self.stop = stop
        self.batchSize = batchSize
        self.concurrency = concurrency
        self.maxConsecutiveFetchFailures = maxConsecutiveFetchFailures
    }
}
