import Kafka
import Testing
@testable import UserPipeline
@testable import StandInAPI

@Suite struct OffsetCommitPolicyTests {
    let p0 = TopicPartition(topic: "users_created", partition: 0)
    let p1 = TopicPartition(topic: "users_created", partition: 1)

    func dispatching(_ offsets: some Sequence<Int64>, committed: Int64? = nil) -> OffsetCommitPolicy {
        var policy = OffsetCommitPolicy()
        policy.assign(p0, committed: committed)
        for offset in offsets { #expect(policy.dispatch(p0, offset: offset) == .accepted) }
        return policy
    }

    @Test func nothingCommittableBeforeAcknowledgement() {
        let policy = dispatching(0..<5)
        #expect(policy.committableOffset(p0) == nil)
        #expect(policy.inFlight(p0) == 5)
    }

    @Test func inOrderAcknowledgementsAdvance() {
        var policy = dispatching(0..<5)
        policy.acknowledge(p0, offset: 0)
        #expect(policy.committableOffset(p0) == 1)
        policy.acknowledge(p0, offset: 1)
        #expect(policy.committableOffset(p0) == 2)
    }

    @Test func outOfOrderAcknowledgementsWaitForTheGap() {
        var policy = dispatching(0..<5)
        policy.acknowledge(p0, offset: 3)
        policy.acknowledge(p0, offset: 1)
        policy.acknowledge(p0, offset: 4)
        #expect(policy.committableOffset(p0) == nil)
        policy.acknowledge(p0, offset: 0)
        #expect(policy.committableOffset(p0) == 2)
        policy.acknowledge(p0, offset: 2)
        #expect(policy.committableOffset(p0) == 5)
        #expect(policy.inFlight(p0) == 0)
    }

    @Test func offsetGapsFromCompactionDoNotBlock() {
        var policy = dispatching([10, 11, 15, 20], committed: 10)
        for offset: Int64 in [20, 11, 10, 15] { policy.acknowledge(p0, offset: offset) }
        #expect(policy.committableOffset(p0) == 21)
    }

    @Test func startsFromCommittedOffset() {
        var policy = dispatching([], committed: 42)
        #expect(policy.committableOffset(p0) == nil)
        #expect(policy.dispatch(p0, offset: 41) == .duplicate)
        #expect(policy.dispatch(p0, offset: 42) == .accepted)
        #expect(policy.committableOffset(p0) == nil)
        policy.acknowledge(p0, offset: 42)
        #expect(policy.committableOffset(p0) == 43)
    }

    @Test func committedOffsetsAreNotReportedAgain() {
        var policy = dispatching(0..<3)
        policy.acknowledge(p0, offset: 0)
        policy.committed(p0, offset: 1)
        #expect(policy.committableOffset(p0) == nil)
        #expect(policy.pendingCommits.isEmpty)
        policy.acknowledge(p0, offset: 1)
        #expect(policy.pendingCommits == [p0: 2])
        policy.committed(p0, offset: 1)  // a late, older commit confirmation does not move it back
        policy.committed(p0, offset: 2)
        policy.committed(p0, offset: 1)
        #expect(policy.committableOffset(p0) == nil)
    }

    @Test func duplicatesAndUnknownsAreIgnored() {
        var policy = dispatching(0..<3)
        #expect(policy.dispatch(p0, offset: 2) == .duplicate)
        #expect(policy.dispatch(p0, offset: 1) == .duplicate)
        #expect(policy.dispatch(p1, offset: 0) == .unassigned)
        #expect(policy.acknowledge(p0, offset: 7) == false)
        #expect(policy.acknowledge(p1, offset: 0) == false)
        #expect(policy.acknowledge(p0, offset: 0) == true)
        #expect(policy.acknowledge(p0, offset: 0) == false)
        #expect(policy.committableOffset(p0) == 1)
    }

    @Test func partitionsAreIndependent() {
        var policy = dispatching(0..<2)
        policy.assign(p1, committed: 100)
        #expect(policy.dispatch(p1, offset: 100) == .accepted)
        policy.acknowledge(p1, offset: 100)
        #expect(policy.pendingCommits == [p1: 101])
        #expect(policy.dispatch(p0, offset: 2) == .accepted, "p0 is still assigned")
    }

    @Test func revocationReturnsWhatMustStillBeCommitted() {
        var policy = dispatching(0..<4)
        policy.acknowledge(p0, offset: 0)
        policy.acknowledge(p0, offset: 1)
        policy.acknowledge(p0, offset: 3)
        #expect(policy.revoke(p0) == .init(commitOffset: 2, unacknowledged: 1))
        #expect(policy.dispatch(p0, offset: 4) == .unassigned)
        #expect(policy.acknowledge(p0, offset: 2) == false)
        #expect(policy.revoke(p0) == .init(commitOffset: nil, unacknowledged: 0))
    }

    @Test func revocationAfterCommitHasNothingToCommit() {
        var policy = dispatching(0..<2)
        policy.acknowledge(p0, offset: 0)
        policy.acknowledge(p0, offset: 1)
        policy.committed(p0, offset: 2)
        #expect(policy.revoke(p0) == .init(commitOffset: nil, unacknowledged: 0))
    }

    @Test func manyRecordsInShuffledOrderEndAtTheTop() {
        var policy = dispatching(0..<10_000)
        var generator = SplitMix64(state: 7)
        var lowestUnacknowledged: Int64 = 0
        var acknowledged = Set<Int64>()
        for offset in Array(0..<Int64(10_000)).shuffled(using: &generator) {
            policy.acknowledge(p0, offset: offset)
            acknowledged.insert(offset)
            while acknowledged.contains(lowestUnacknowledged) { lowestUnacknowledged += 1 }
            #expect(policy.committableOffset(p0) == (lowestUnacknowledged == 0 ? nil : lowestUnacknowledged))
        }
        #expect(policy.committableOffset(p0) == 10_000)
    }
}
