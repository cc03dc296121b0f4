import Kafka

/// Decides which offsets the stream processor may commit: a partition's offset moves past a
/// record only when that record and every record dispatched before it have been acknowledged
/// (stored in the sink or in the dead-letter topic), whatever order the acknowledgements arrive in.
///
/// Offsets are tracked as dispatched rather than assumed contiguous, because Kafka offsets have
/// gaps (compaction, transaction markers). Pure value type: no I/O, no clock.
struct OffsetCommitPolicy: Sendable {
    /// What `dispatch` made of an offset.
    enum Dispatch: Sendable, Equatable {
        /// New work: process it and acknowledge it later.
        case accepted
        /// At or below an offset already dispatched (a re-fetch): skip it.
        case duplicate
        /// The partition is not assigned here: skip it.
        case unassigned
    }

    /// What is left to do when a partition is revoked.
    struct Revocation: Sendable, Equatable {
        /// The offset to commit before letting the partition go, if it moved since the last commit.
        var commitOffset: Int64?
        /// Dispatched records that were never acknowledged; the next owner will process them again.
        var unacknowledged: Int
    }

    private struct PartitionState: Sendable {
        /// Dispatched offsets in increasing order, from `head` on; earlier slots are spent.
        var offsets: [Int64] = []
        var acknowledged: [Bool] = []
        var head = 0
        var unacknowledged = 0
        /// The next offset to fetch when nothing is in flight (one past the highest dispatched).
        var nextOffset: Int64?
        /// The last committed offset (the committed "next offset to read"); before any commit, the
        /// first dispatched offset, since committing that would say nothing new.
        var committed: Int64?

        var inFlight: Int { unacknowledged }

        /// One past the highest acknowledged prefix of the dispatched offsets.
        var committable: Int64? {
            head < offsets.count ? offsets[head] : nextOffset
        }

        mutating func compactIfWorthIt() {
            if head > 1024 && head * 2 > offsets.count {
                offsets.removeFirst(head)
                acknowledged.removeFirst(head)
                head = 0
            }
        }
    }

    private var partitions: [TopicPartition: PartitionState] = [:]

    /// Creates an empty policy.
    init() {}

    /// Starts tracking `partition`; `committed` is the group's committed offset, if any.
    mutating func assign(_ partition: TopicPartition, committed: Int64?) {
        partitions[partition] = PartitionState(nextOffset: committed, committed: committed)
    }

    /// Records that the record at `offset` was handed out for processing.
    mutating func dispatch(_ partition: TopicPartition, offset: Int64) -> Dispatch {
        guard var state = partitions[partition] else { return .unassigned }
        if let next = state.nextOffset, offset < next { return .duplicate }
        partitions[partition] = nil  // keep the arrays uniquely referenced while appending
        if state.committed == nil { state.committed = offset }
        state.offsets.append(offset)
        state.acknowledged.append(false)
        state.unacknowledged += 1
        state.nextOffset = offset + 1
        partitions[partition] = state
        return .accepted
    }

    /// Records that the record at `offset` is safely stored (sink or DLQ). Returns `false` when the
    /// offset is not in flight (never dispatched, already acknowledged, or the partition is gone).
    @discardableResult
    mutating func acknowledge(_ partition: TopicPartition, offset: Int64) -> Bool {
        guard var state = partitions[partition] else { return false }
        partitions[partition] = nil
        defer { partitions[partition] = state }
        guard let slot = Self.slot(of: offset, in: state.offsets, from: state.head), !state.acknowledged[slot] else {
            return false
        }
        state.acknowledged[slot] = true
        state.unacknowledged -= 1
        while state.head < state.offsets.count && state.acknowledged[state.head] { state.head += 1 }
        state.compactIfWorthIt()
        return true
    }

    /// The offset to commit for `partition` now (the next offset to read), or `nil` when nothing
    /// new has become committable since the last commit.
    func committableOffset(_ partition: TopicPartition) -> Int64? {
        guard let state = partitions[partition], let offset = state.committable else { return nil }
        if let committed = state.committed, offset <= committed { return nil }
        return offset
    }

    /// Every partition with something new to commit.
    var pendingCommits: [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        for partition in partitions.keys {
            if let offset = committableOffset(partition) { result[partition] = offset }
        }
        return result
    }

    /// Records that the broker accepted a commit of `offset` for `partition`.
    mutating func committed(_ partition: TopicPartition, offset: Int64) {
        guard var state = partitions[partition] else { return }
        if state.committed.map({ offset > $0 }) ?? true { state.committed = offset }
        partitions[partition] = state
    }

    /// Follows a partition the consumer moved because its position was outside the log: tracking
    /// starts again at `offset`, which is committable at once, so the group's offset leaves the gap too.
    mutating func reset(_ partition: TopicPartition, to offset: Int64) {
        guard partitions[partition] != nil else { return }
        partitions[partition] = PartitionState(nextOffset: offset, committed: nil)
    }

    /// Records in flight (dispatched, not yet acknowledged) for `partition`.
    func inFlight(_ partition: TopicPartition) -> Int {
        partitions[partition]?.inFlight ?? 0
    }

    /// Stops tracking `partition` and says what must still be committed before it goes.
    mutating func revoke(_ partition: TopicPartition) -> Revocation {
        let offset = committableOffset(partition)
        let unacknowledged = inFlight(partition)
        partitions[partition] = nil
        return Revocation(commitOffset: offset, unacknowledged: unacknowledged)
    }

    /// Binary search for `offset` among the live slots.
    private static func slot(of offset: Int64, in offsets: [Int64], from head: Int) -> Int? {
        var low = head
        var high = offsets.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if offsets[middle] == offset { return middle }
            if offsets[middle] < offset { low = middle + 1 } else { high = middle - 1 }
        }
        return nil
    }
}
