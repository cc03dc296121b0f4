/// What a consumer does when its position is outside a partition's log (OFFSET_OUT_OF_RANGE):
/// records deleted by retention before they were read, a committed offset from an older topic
/// of the same name, or one written by hand.
public enum OffsetResetPolicy: String, Sendable, CaseIterable {
    /// Go to the first record still in the log.
    case earliest
    /// Go to the end of the log: only records produced from then on.
    case latest
    /// Stop with an error and move nothing.
    case fail
}

/// One partition moved because its position was outside the log. Pure: the counts follow from
/// the positions alone.
public struct OffsetReset: Sendable, Equatable, CustomStringConvertible {
    public var partition: TopicPartition
    /// The position the broker refused.
    public var from: Int64
    /// Where reading goes on.
    public var to: Int64
    /// The log's first offset and the offset after its last record, when the jump was decided.
    public var logStart: Int64
    public var logEnd: Int64

    /// Offsets jumped over forwards: never read here (gone from the log, or left behind at its end).
    public var skipped: Int64 { max(0, to - from) }
    /// Records before the refused position that are read (again) from `to` on.
    public var readAgain: Int64 { max(0, min(from, logEnd) - to) }

    /// Where `policy` moves a partition whose `position` the broker refused; nil for `.fail`.
    public static func decide(_ policy: OffsetResetPolicy, partition: TopicPartition, position: Int64,
                              logStart: Int64, logEnd: Int64) -> OffsetReset? {
        switch policy {
        case .earliest: OffsetReset(partition: partition, from: position, to: logStart, logStart: logStart, logEnd: logEnd)
        case .latest: OffsetReset(partition: partition, from: position, to: logEnd, logStart: logStart, logEnd: logEnd)
        case .fail: nil
        }
    }

    public var description: String {
        let side = from < logStart ? "before the log's first offset" : "past the log's end"
        return "\(partition): offset \(from) is \(side) (log \(logStart)..<\(logEnd)); moved to \(to) — "
            + "\(skipped) offsets skipped, \(readAgain) records read again"
    }
}
