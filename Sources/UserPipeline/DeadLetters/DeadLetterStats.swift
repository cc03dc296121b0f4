import Kafka

/// What a dead-letter topic holds: totals by reason and by the partition the records came from,
/// and when the oldest and newest were dead-lettered.
public struct DeadLetterStats: Sendable, Equatable {
    public private(set) var total = 0
    /// Dead letters per `dlq.reason` ("unknown" for records without one).
    public private(set) var byReason: [String: Int] = [:]
    /// Dead letters per source partition, as `topic-partition` ("unknown" without the headers).
    public private(set) var bySourcePartition: [String: Int] = [:]
    /// Timestamps (milliseconds since the epoch) of the oldest and newest dead letter.
    public private(set) var oldest: Int64?
    public private(set) var newest: Int64?

    public init() {}

    /// Counts `entry`.
    public mutating func add(_ entry: DeadLetterEntry) {
        total += 1
        byReason[entry.reason ?? Self.unknown, default: 0] += 1
        bySourcePartition[entry.source?.description ?? Self.unknown, default: 0] += 1
        let time = entry.record.timestamp
        oldest = min(oldest ?? time, time)
        newest = max(newest ?? time, time)
    }

    /// The label of a dead letter whose headers do not say.
    public static let unknown = "unknown"
}
