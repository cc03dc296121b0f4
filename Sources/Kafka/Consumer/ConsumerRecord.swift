import NIOCore

/// A record read from a partition.
public struct ConsumerRecord: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// Milliseconds since the epoch (create or log-append time, as the topic says).
    public var timestamp: Int64
    public var key: ByteBuffer?
    public var value: ByteBuffer?
    public var headers: [KafkaHeader]
}

/// Where a consumer starts reading a partition.
public enum ConsumerStart: Sendable, Equatable {
    /// The first offset still in the log.
    case earliest
    /// The end of the log: only records produced from now on.
    case latest
    /// A given offset.
    case offset(Int64)
}

/// How a partition consumer fetches.
public struct ConsumerSettings: Sendable {
    public var isolation: IsolationLevel
    /// Where to go when the position is outside the log (OFFSET_OUT_OF_RANGE).
    public var offsetReset: OffsetResetPolicy
    /// How long the broker may wait for `minBytes` before answering a fetch.
    public var maxWait: Duration
    /// The wait after a fetch that came back empty for a partition with records past its position:
    /// a broker reading slow storage (Tansu on S3) answers within the wait with what it has read,
    /// which can be nothing every time when the wait is short.
    public var maxWaitWhenBehind: Duration = .milliseconds(500)
    public var minBytes: Int32
    /// Upper bound of one fetch response.
    public var maxBytes: Int32
    /// Upper bound per partition in one fetch response.
    public var partitionMaxBytes: Int32

    /// Defaults: read_uncommitted, reset to earliest, 500 ms max wait, 64 MiB per fetch.
    public init(isolation: IsolationLevel = .readUncommitted, offsetReset: OffsetResetPolicy = .earliest, maxWait: Duration = .milliseconds(500),
                minBytes: Int32 = 1, maxBytes: Int32 = 64 * 1024 * 1024, partitionMaxBytes: Int32 = 8 * 1024 * 1024) {
        self.isolation = isolation
        self.offsetReset = offsetReset
        self.maxWait = maxWait
        self.minBytes = minBytes
        self.maxBytes = maxBytes
        self.partitionMaxBytes = partitionMaxBytes
    }
}
