import Kafka
import NIOCore
import Testing

/// What the members of a test group own and have processed; tests await conditions on it
/// (each change re-checks them) instead of sleeping.
actor GroupObserver {
    private(set) var owned: [String: Set<TopicPartition>] = [:]
    /// How many times each record key was processed.
    private(set) var processed: [String: Int] = [:]
    /// The last offset each member committed per partition.
    private(set) var committed: [TopicPartition: Int64] = [:]
    private(set) var starts: [String: [TopicPartition: Int64]] = [:]
    private var waiters: [(check: @Sendable (isolated GroupObserver) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []

    /// A listener that records `member`'s assignment changes here.
    nonisolated func listener(for member: String) -> RebalanceListener {
        RebalanceListener(
            revoked: { partitions in await self.revoke(member, partitions) },
            assigned: { starts in await self.assign(member, starts) })
    }

    func revoke(_ member: String, _ partitions: [TopicPartition]) {
        owned[member, default: []].subtract(partitions)
        changed()
    }

    func assign(_ member: String, _ starts: [TopicPartition: Int64]) {
        owned[member, default: []].formUnion(starts.keys)
        self.starts[member] = starts
        changed()
    }

    /// Records handed to a member for a partition it did not own at that moment.
    private(set) var strays: [String] = []

    func process(_ batch: [ConsumerRecord], by member: String) {
        for record in batch {
            if !(owned[member] ?? []).contains(TopicPartition(topic: record.topic, partition: record.partition)) {
                strays.append("\(member): \(record.topic)-\(record.partition)@\(record.offset)")
            }
            processed[record.key.map { String(buffer: $0) } ?? "", default: 0] += 1
        }
        changed()
    }

    func didCommit(_ offsets: [TopicPartition: Int64]) {
        committed.merge(offsets) { max($0, $1) }
        changed()
    }

    /// Every partition of `partitions` owned by exactly one of `members`, each of which owns some.
    func ownedExactlyOnce(_ partitions: Set<TopicPartition>, by members: [String]) -> Bool {
        let sets = members.map { owned[$0] ?? [] }
        guard sets.allSatisfy({ !$0.isEmpty }) else { return false }
        return sets.reduce(0) { $0 + $1.count } == partitions.count && sets.reduce(Set()) { $0.union($1) } == partitions
    }

    /// Waits until `condition` holds; fails the test (instead of hanging) after `limit`.
    func wait(_ what: String, limit: Duration = .seconds(60), until condition: @escaping @Sendable (isolated GroupObserver) -> Bool) async {
        if condition(self) { return }
        let timer = Task {
            try await Task.sleep(for: limit)
            self.giveUp(what)
        }
        await withCheckedContinuation { waiters.append((condition, $0)) }
        timer.cancel()
    }

    private func giveUp(_ what: String) {
        Issue.record("gave up waiting for: \(what)")
        let all = waiters
        waiters.removeAll()
        all.forEach { $0.continuation.resume() }
    }

    private func changed() {
        var still: [(check: @Sendable (isolated GroupObserver) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
        for waiter in waiters {
            if waiter.check(self) { waiter.continuation.resume() } else { still.append(waiter) }
        }
        waiters = still
    }
}
