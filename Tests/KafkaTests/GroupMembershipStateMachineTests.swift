import KafkaProtocol
import NIOCore
import Testing
@testable import Kafka

/// The membership state machine driven with plain values: no broker, no clock.
@Suite struct GroupMembershipStateMachineTests {
    typealias Machine = GroupMembershipStateMachine
    let t0 = ContinuousClock.now
    let tp0 = TopicPartition(topic: "users", partition: 0)
    let tp1 = TopicPartition(topic: "users", partition: 1)

    func machine(assignors: [PartitionAssignor] = [.range, .roundRobin]) -> Machine {
        Machine(configuration: .init(groupID: "g", sessionTimeout: .seconds(6), rebalanceTimeout: .seconds(30), assignors: assignors))
    }

    func joinResponse(code: Int16 = 0, generation: Int32 = 1, member: String = "m-1", leader: String = "m-0",
                      protocolName: String = "range", members: [JoinGroupResponse.Member] = []) -> JoinGroupResponse {
        JoinGroupResponse(errorCode: code, generationId: generation, protocolType: "consumer", protocolName: protocolName,
                          leader: leader, memberId: member, members: members)
    }

    func syncResponse(_ partitions: [TopicPartition], code: Int16 = 0) -> SyncGroupResponse {
        SyncGroupResponse(errorCode: code, protocolType: "consumer", protocolName: "range", assignment: ConsumerProtocolCodec.assignment(partitions))
    }

    /// A member that found its coordinator and sent its first JoinGroup.
    func joining(assignors: [PartitionAssignor] = [.range, .roundRobin]) -> Machine {
        var m = machine(assignors: assignors)
        _ = m.handle(.subscribe(topics: ["users"]))
        _ = m.handle(.coordinatorFound(nodeID: 1))
        return m
    }

    /// A follower taken through discovery, join and sync to a stable membership owning `partitions`.
    func stableFollower(_ partitions: [TopicPartition]) -> Machine {
        var m = joining()
        _ = m.handle(.joinGroupResponse(joinResponse()))
        _ = m.handle(.syncGroupResponse(syncResponse(partitions), now: t0))
        return m
    }

    @Test("subscribe finds the coordinator at once, then joins with the consumer protocol and every assignor")
    func joinRequest() throws {
        var m = machine()
        guard case .findCoordinator(let delay) = m.handle(.subscribe(topics: ["users"])) else { Issue.record("no FindCoordinator"); return }
        #expect(delay == .zero)
        guard case .sendJoinGroup(let join) = m.handle(.coordinatorFound(nodeID: 3)) else { Issue.record("no JoinGroup"); return }
        #expect(m.coordinator == 3)
        #expect(join.groupId == "g")
        #expect(join.memberId == "")
        #expect(join.protocolType == "consumer")
        #expect(join.sessionTimeoutMs == 6000)
        #expect(join.rebalanceTimeoutMs == 30000)
        #expect(join.protocols.map(\.name) == ["range", "roundrobin"])
        var metadata = join.protocols[0].metadata
        #expect(try ConsumerProtocolSubscription(versionPrefixed: &metadata).topics == ["users"])
    }

    @Test("MEMBER_ID_REQUIRED: join again with the member id the coordinator gave")
    func memberIDRequired() {
        var m = joining()
        guard case .sendJoinGroup(let again) = m.handle(.joinGroupResponse(joinResponse(code: 79, member: "m-given"))) else {
            Issue.record("no second JoinGroup"); return
        }
        #expect(again.memberId == "m-given")
    }

    @Test("a follower syncs with no assignments, then is stable with what the leader gave it")
    func followerSync() {
        var m = joining()
        guard case .sendSyncGroup(let sync) = m.handle(.joinGroupResponse(joinResponse(generation: 4))) else { Issue.record("no SyncGroup"); return }
        #expect(sync.assignments.isEmpty)
        #expect(sync.generationId == 4)
        #expect(sync.memberId == "m-1")
        #expect(sync.protocolName == "range")
        guard case .assign(let partitions) = m.handle(.syncGroupResponse(syncResponse([tp1, tp0]), now: t0)) else {
            Issue.record("no assignment"); return
        }
        #expect(partitions == [tp0, tp1])
        #expect(m.generation == 4)
        #expect(m.phase == .stable)
    }

    @Test("the leader asks for partition counts, runs the chosen assignor and syncs every member's share")
    func leaderAssigns() throws {
        var m = joining()
        let members = ["m-0", "m-1"].map {
            JoinGroupResponse.Member(memberId: $0, metadata: ConsumerProtocolCodec.subscription(topics: ["users"]))
        }
        let action = m.handle(.joinGroupResponse(joinResponse(member: "m-0", leader: "m-0", protocolName: "roundrobin", members: members)))
        guard case .fetchPartitionCounts(let topics) = action else { Issue.record("leader did not ask for partition counts"); return }
        #expect(topics == ["users"])
        guard case .sendSyncGroup(let sync) = m.handle(.partitionCounts(["users": 4])) else { Issue.record("no SyncGroup"); return }
        let shares = try Dictionary(uniqueKeysWithValues: sync.assignments.map { ($0.memberId, try ConsumerProtocolCodec.partitions(in: $0.assignment)) })
        #expect(shares["m-0"]?.map(\.partition) == [0, 2])
        #expect(shares["m-1"]?.map(\.partition) == [1, 3])
    }

    /// A lone leader that assigned with `counts` (a missing topic is absent) and is stable.
    func stableLeader(counts: [String: Int32]) -> Machine {
        var m = joining()
        let members = [JoinGroupResponse.Member(memberId: "m-0", metadata: ConsumerProtocolCodec.subscription(topics: ["users"]))]
        _ = m.handle(.joinGroupResponse(joinResponse(member: "m-0", leader: "m-0", members: members)))
        _ = m.handle(.partitionCounts(counts))
        let partitions = (0..<(counts["users"] ?? 0)).map { TopicPartition(topic: "users", partition: $0) }
        _ = m.handle(.syncGroupResponse(syncResponse(partitions), now: t0))
        return m
    }

    @Test("a topic that did not exist when the leader assigned makes it rejoin once it appears")
    func topicCreatedAfterTheGroupFormed() {
        var m = stableLeader(counts: [:])
        #expect(m.assigned.isEmpty && m.phase == .stable)
        guard case .checkTopics(let topics) = m.handle(.topicCheckTick) else { Issue.record("no topic check"); return }
        #expect(topics == ["users"])
        guard case .none = m.handle(.topicsChecked([:])) else { Issue.record("rejoined while the topic is still missing"); return }
        _ = m.handle(.topicCheckTick)
        guard case .sendLeaveGroup("m-0") = m.handle(.topicsChecked(["users": 3])) else { Issue.record("no rebalance once the topic exists"); return }
        guard case .sendJoinGroup(let join) = m.handle(.leaveFinished) else { Issue.record("no rejoin after leaving"); return }
        #expect(join.memberId == "")
    }

    @Test("partitions added to a topic make the leader revoke and rejoin; a failed check or a follower changes nothing")
    func topicGrew() {
        var leader = stableLeader(counts: ["users": 2])
        _ = leader.handle(.topicCheckTick)
        guard case .none = leader.handle(.topicsChecked(nil)) else { Issue.record("a failed check caused a rebalance"); return }
        _ = leader.handle(.topicCheckTick)
        guard case .revoke(let revoked) = leader.handle(.topicsChecked(["users": 4])) else { Issue.record("no revoke"); return }
        #expect(revoked.count == 2)
        guard case .sendLeaveGroup = leader.handle(.revokeFinished) else { Issue.record("no LeaveGroup after the revoke"); return }
        // A failed LeaveGroup still ends in a join: the old member id expires on its own.
        guard case .sendJoinGroup = leader.handle(.requestFailed(.leaveGroup, .connectionClosed(BrokerAddress(host: "h", port: 1)))) else {
            Issue.record("no rejoin after a failed LeaveGroup"); return
        }

        var follower = stableFollower([tp0])
        _ = follower.handle(.topicCheckTick)
        guard case .none = follower.handle(.topicsChecked(["users": 4])) else { Issue.record("a follower rebalanced"); return }
    }

    @Test("the leader fails when the group chose an assignor it did not offer")
    func leaderUnknownProtocol() {
        var m = joining(assignors: [.range])
        let members = [JoinGroupResponse.Member(memberId: "m-0", metadata: ConsumerProtocolCodec.subscription(topics: ["users"]))]
        _ = m.handle(.joinGroupResponse(joinResponse(member: "m-0", leader: "m-0", protocolName: "sticky", members: members)))
        guard case .fail = m.handle(.partitionCounts(["users": 1])) else { Issue.record("no failure"); return }
        #expect(m.phase == .failed)
    }

    @Test("heartbeats go out on ticks while stable, one at a time")
    func heartbeats() {
        var m = stableFollower([tp0])
        guard case .sendHeartbeat(let beat) = m.handle(.heartbeatTick(now: t0 + .seconds(1))) else { Issue.record("no heartbeat"); return }
        #expect(beat.generationId == 1)
        #expect(beat.memberId == "m-1")
        guard case .none = m.handle(.heartbeatTick(now: t0 + .seconds(2))) else { Issue.record("second heartbeat while one is in flight"); return }
        guard case .none = m.handle(.heartbeatResponse(errorCode: 0, generation: 1, now: t0 + .seconds(2))) else { Issue.record("unexpected action"); return }
        guard case .sendHeartbeat = m.handle(.heartbeatTick(now: t0 + .seconds(3))) else { Issue.record("no heartbeat after the answer"); return }
    }

    @Test("REBALANCE_IN_PROGRESS on a heartbeat: revoke, then rejoin with the same member id")
    func rebalance() {
        var m = stableFollower([tp0, tp1])
        _ = m.handle(.heartbeatTick(now: t0 + .seconds(1)))
        guard case .revoke(let revoked) = m.handle(.heartbeatResponse(errorCode: 27, generation: 1, now: t0 + .seconds(1))) else {
            Issue.record("no revoke"); return
        }
        #expect(revoked == [tp0, tp1])
        #expect(m.phase == .revoking(then: .join))
        // Heartbeats keep the session while the caller's callback runs; their answers do not start another rejoin.
        guard case .sendHeartbeat = m.handle(.heartbeatTick(now: t0 + .seconds(2))) else { Issue.record("no heartbeat while revoking"); return }
        guard case .none = m.handle(.heartbeatResponse(errorCode: 27, generation: 1, now: t0 + .seconds(2))) else { Issue.record("acted on a heartbeat while revoking"); return }
        guard case .sendJoinGroup(let join) = m.handle(.revokeFinished) else { Issue.record("no rejoin"); return }
        #expect(join.memberId == "m-1")
        #expect(m.assigned.isEmpty)
    }

    @Test("ILLEGAL_GENERATION keeps the member id; UNKNOWN_MEMBER_ID starts over without one")
    func staleMembership() {
        for (code, expectedMember) in [(Int16(22), "m-1"), (25, "")] {
            var m = stableFollower([tp0])
            _ = m.handle(.heartbeatTick(now: t0 + .seconds(1)))
            guard case .revoke = m.handle(.heartbeatResponse(errorCode: code, generation: 1, now: t0 + .seconds(1))) else {
                Issue.record("no revoke after \(code)"); continue
            }
            guard case .sendJoinGroup(let join) = m.handle(.revokeFinished) else { Issue.record("no rejoin after \(code)"); continue }
            #expect(join.memberId == expectedMember)
        }
    }

    @Test("a refused commit (REBALANCE_IN_PROGRESS) starts the rebalance like a heartbeat would")
    func commitRejected() {
        var m = stableFollower([tp0])
        guard case .revoke = m.handle(.commitRejected(errorCode: 27)) else { Issue.record("no revoke"); return }
    }

    @Test("errors during join and sync lead to a new join")
    func joinErrors() {
        for code: Int16 in [22, 25, 27] {
            var m = joining()
            guard case .sendJoinGroup = m.handle(.joinGroupResponse(joinResponse(code: code))) else { Issue.record("no rejoin after JoinGroup \(code)"); continue }
            _ = m.handle(.joinGroupResponse(joinResponse()))
            guard case .sendJoinGroup(let join) = m.handle(.syncGroupResponse(syncResponse([], code: code), now: t0)) else {
                Issue.record("no rejoin after SyncGroup \(code)"); continue
            }
            #expect(join.memberId == (code == 25 ? "" : "m-1"))
        }
    }

    @Test("NOT_COORDINATOR and COORDINATOR_NOT_AVAILABLE: find the coordinator again, then carry on")
    func coordinatorMoved() {
        for code: Int16 in [15, 16] {
            // While joining: rediscover, then join again.
            var rejoining = joining()
            guard case .findCoordinator(let delay) = rejoining.handle(.joinGroupResponse(joinResponse(code: code))) else {
                Issue.record("no rediscovery after JoinGroup \(code)"); continue
            }
            #expect(delay > .zero)
            #expect(rejoining.coordinator == nil)
            guard case .sendJoinGroup = rejoining.handle(.coordinatorFound(nodeID: 2)) else { Issue.record("no join after rediscovery"); continue }
            #expect(rejoining.coordinator == 2)

            // While stable: rediscover, then keep the assignment and heartbeat the new coordinator.
            var stable = stableFollower([tp0])
            _ = stable.handle(.heartbeatTick(now: t0 + .seconds(1)))
            guard case .findCoordinator = stable.handle(.heartbeatResponse(errorCode: code, generation: 1, now: t0 + .seconds(1))) else {
                Issue.record("no rediscovery after Heartbeat \(code)"); continue
            }
            guard case .none = stable.handle(.coordinatorFound(nodeID: 2)) else { Issue.record("unexpected action"); continue }
            #expect(stable.phase == .stable)
            #expect(stable.assigned == [tp0])
            guard case .sendHeartbeat = stable.handle(.heartbeatTick(now: t0 + .seconds(2))) else { Issue.record("no heartbeat"); continue }
        }
    }

    @Test("a lost connection to the coordinator is a rediscovery, with growing backoff")
    func connectionLost() {
        var m = joining()
        guard case .findCoordinator(let first) = m.handle(.requestFailed(.joinGroup, .connectionClosed(BrokerAddress(host: "h", port: 1)))) else {
            Issue.record("no rediscovery"); return
        }
        guard case .findCoordinator(let second) = m.handle(.coordinatorLookupFailed(.connectionFailed(BrokerAddress(host: "h", port: 1), reason: "refused"))) else {
            Issue.record("no retry"); return
        }
        #expect(second > first)
        guard case .fail = m.handle(.coordinatorLookupFailed(.configuration("bad"))) else { Issue.record("a fatal lookup error did not fail"); return }
    }

    @Test("no broker answering is retried for the reconnect window, then fails with the last error")
    func brokersDownForAWhile() {
        var m = Machine(configuration: .init(groupID: "g", sessionTimeout: .seconds(6), rebalanceTimeout: .seconds(30),
                                             assignors: [.range], reconnectWindow: .seconds(60)))
        _ = m.handle(.subscribe(topics: ["users"]))
        let down = KafkaError.noBrokerAnswered([BrokerAddress(host: "h", port: 1)], reason: "refused")
        for second in [0, 3, 30, 59] {
            guard case .findCoordinator = m.handle(.coordinatorLookupFailed(down, now: t0 + .seconds(second))) else {
                Issue.record("gave up \(second) s into the outage"); return
            }
        }
        guard case .fail(.brokersUnreachable(let window, let last)) = m.handle(.coordinatorLookupFailed(down, now: t0 + .seconds(60))) else {
            Issue.record("kept retrying past the window"); return
        }
        #expect(window == .seconds(60) && last.contains("refused"))
    }

    @Test("a coordinator found again starts a new reconnect window")
    func reconnectWindowResets() {
        var m = Machine(configuration: .init(groupID: "g", sessionTimeout: .seconds(6), rebalanceTimeout: .seconds(30),
                                             assignors: [.range], reconnectWindow: .seconds(10)))
        _ = m.handle(.subscribe(topics: ["users"]))
        let down = KafkaError.noBrokerAnswered([BrokerAddress(host: "h", port: 1)], reason: "refused")
        _ = m.handle(.coordinatorLookupFailed(down, now: t0))
        _ = m.handle(.coordinatorFound(nodeID: 1))
        _ = m.handle(.requestFailed(.joinGroup, .connectionClosed(BrokerAddress(host: "h", port: 1))))
        guard case .findCoordinator = m.handle(.coordinatorLookupFailed(down, now: t0 + .seconds(15))) else {
            Issue.record("an earlier outage counted against this one"); return
        }
    }

    @Test("no heartbeat answered for a whole session: the member is gone, revoke and join as a new member")
    func sessionExpired() {
        var m = stableFollower([tp0])
        _ = m.handle(.heartbeatTick(now: t0 + .seconds(1)))
        _ = m.handle(.requestFailed(.heartbeat, .requestTimedOut(BrokerAddress(host: "h", port: 1), api: "Heartbeat", after: .seconds(5))))
        _ = m.handle(.coordinatorFound(nodeID: 1))
        guard case .revoke = m.handle(.heartbeatTick(now: t0 + .seconds(7))) else { Issue.record("no revoke after the session expired"); return }
        guard case .sendJoinGroup(let join) = m.handle(.revokeFinished) else { Issue.record("no rejoin"); return }
        #expect(join.memberId == "")
    }

    @Test("a heartbeat answer from an older generation is ignored")
    func staleHeartbeat() {
        var m = stableFollower([tp0])
        guard case .none = m.handle(.heartbeatResponse(errorCode: 22, generation: 0, now: t0)) else { Issue.record("acted on a stale answer"); return }
        #expect(m.phase == .stable)
    }

    @Test("close while stable: revoke, leave, closed")
    func closeStable() {
        var m = stableFollower([tp0])
        guard case .revoke([tp0]) = m.handle(.close) else { Issue.record("no revoke on close"); return }
        guard case .sendLeaveGroup(let member) = m.handle(.revokeFinished) else { Issue.record("no LeaveGroup"); return }
        #expect(member == "m-1")
        guard case .closed = m.handle(.leaveFinished) else { Issue.record("not closed"); return }
        #expect(m.phase == .closed)
    }

    @Test("close during a rebalance leaves after the revoke instead of joining")
    func closeWhileRevoking() {
        var m = stableFollower([tp0])
        _ = m.handle(.commitRejected(errorCode: 27))
        guard case .none = m.handle(.close) else { Issue.record("unexpected action"); return }
        guard case .sendLeaveGroup = m.handle(.revokeFinished) else { Issue.record("joined instead of leaving"); return }
    }

    @Test("close while the coordinator is being looked up again: leave once found, close if the lookup fails")
    func closeWhileDiscovering() {
        var found = stableFollower([])
        _ = found.handle(.commitRejected(errorCode: 16))
        guard case .none = found.handle(.close) else { Issue.record("unexpected action"); return }
        guard case .sendLeaveGroup("m-1") = found.handle(.coordinatorFound(nodeID: 2)) else { Issue.record("no LeaveGroup"); return }

        var lost = stableFollower([])
        _ = lost.handle(.commitRejected(errorCode: 16))
        _ = lost.handle(.close)
        guard case .closed = lost.handle(.coordinatorLookupFailed(.connectionFailed(BrokerAddress(host: "h", port: 1), reason: "refused"))) else {
            Issue.record("close hung on a failing lookup"); return
        }
    }

    @Test("a leader closes without LeaveGroup: one leaving mid-rebalance would stay the group's leader, so its session ends it")
    func leaderClosesWithoutLeaving() {
        var m = stableLeader(counts: ["users": 2])
        guard case .revoke = m.handle(.close) else { Issue.record("no revoke on close"); return }
        guard case .closed = m.handle(.revokeFinished) else { Issue.record("the leader sent LeaveGroup"); return }
        #expect(m.phase == .closed)
    }

    @Test("close while a JoinGroup is unanswered closes without LeaveGroup (that join may have made the member leader); a syncing follower leaves")
    func closeWhileJoining() {
        var rejoining = stableFollower([tp0])
        _ = rejoining.handle(.heartbeatResponse(errorCode: 27, generation: 1, now: t0))
        guard case .sendJoinGroup(let join) = rejoining.handle(.revokeFinished) else { Issue.record("no rejoin"); return }
        #expect(join.memberId == "m-1")
        guard case .closed = rejoining.handle(.close) else { Issue.record("left with a JoinGroup unanswered"); return }

        var lost = stableFollower([])
        _ = lost.handle(.heartbeatResponse(errorCode: 27, generation: 1, now: t0))
        _ = lost.handle(.requestFailed(.joinGroup, .connectionFailed(BrokerAddress(host: "h", port: 1), reason: "reset")))
        _ = lost.handle(.close)
        guard case .closed = lost.handle(.coordinatorFound(nodeID: 1)) else { Issue.record("left after a JoinGroup got no answer"); return }

        var syncing = joining()
        _ = syncing.handle(.joinGroupResponse(joinResponse()))
        guard case .sendLeaveGroup("m-1") = syncing.handle(.close) else { Issue.record("a syncing follower did not leave"); return }
    }

    @Test("a join without an assignment for the report time is reported with its rounds and leader, then again at the interval, never once stable")
    func stalledJoinReported() {
        var m = joining()
        let after = m.configuration.stalledJoinReport.after, every = m.configuration.stalledJoinReport.every
        guard case .none = m.handle(.heartbeatTick(now: t0)) else { Issue.record("reported at once"); return }
        _ = m.handle(.joinGroupResponse(joinResponse()))
        // The leader never syncs: the follower's SyncGroup keeps answering REBALANCE_IN_PROGRESS.
        guard case .sendJoinGroup = m.handle(.syncGroupResponse(syncResponse([], code: 27), now: t0)) else { Issue.record("no rejoin"); return }
        guard case .none = m.handle(.heartbeatTick(now: t0 + after - .milliseconds(1))) else { Issue.record("reported early"); return }
        guard case .reportStalledJoin(let stall) = m.handle(.heartbeatTick(now: t0 + after)) else { Issue.record("no report"); return }
        #expect(stall == StalledJoin(waited: after, joinRounds: 2, leader: "m-0", memberID: "m-1"))
        guard case .none = m.handle(.heartbeatTick(now: t0 + after + .seconds(1))) else { Issue.record("reported again at once"); return }
        guard case .reportStalledJoin = m.handle(.heartbeatTick(now: t0 + after + every)) else { Issue.record("no second report"); return }

        _ = m.handle(.joinGroupResponse(joinResponse(generation: 2)))
        _ = m.handle(.syncGroupResponse(syncResponse([tp0]), now: t0 + after + every))
        for later in [after, after + every] {
            if case .reportStalledJoin = m.handle(.heartbeatTick(now: t0 + after + every + later)) { Issue.record("reported while stable") }
        }
    }

    @Test("close before any member id closes without LeaveGroup")
    func closeEarly() {
        var m = machine()
        _ = m.handle(.subscribe(topics: ["users"]))
        guard case .closed = m.handle(.close) else { Issue.record("not closed"); return }
    }

    @Test("a fatal error code fails the membership")
    func fatal() {
        var m = joining()
        guard case .fail(let error) = m.handle(.joinGroupResponse(joinResponse(code: 23))) else { Issue.record("no failure"); return }
        #expect(error.description.contains("INCONSISTENT_GROUP_PROTOCOL"))
        #expect(error.description.contains("consumer group 'g'"))
    }
}
