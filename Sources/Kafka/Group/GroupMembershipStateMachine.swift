import KafkaProtocol
import Retry
import NIOCore

/// One consumer's membership in a group (the classic "consumer" protocol, eager rebalancing):
/// find the coordinator, join, let the leader assign, sync, heartbeat, revoke and rejoin when
/// the group rebalances, leave on close. Pure: events in, actions out, no I/O and no clock
/// of its own (times arrive with the events).
struct GroupMembershipStateMachine {
    struct Configuration: Sendable {
        var groupID: String
        var sessionTimeout: Duration
        var rebalanceTimeout: Duration
        var assignors: [PartitionAssignor]
        /// How long the coordinator may stay unreachable before the membership fails.
        var reconnectWindow: Duration = .seconds(60)
        /// How long a member may wait for an assignment before it reports the group's state,
        /// and how often it reports again while the wait goes on.
        var stalledJoinReport: (after: Duration, every: Duration) = (.seconds(12), .seconds(30))
    }

    enum Phase: Equatable {
        case idle
        /// Looking for the coordinator; then carry on with `then`.
        case discovering(then: AfterDiscovery)
        case joining
        /// The leader waits for partition counts before it can assign.
        case awaitingPartitionCounts
        case syncing
        case stable
        /// Waiting for the caller's `revoked` callback; then carry on with `then`.
        case revoking(then: AfterRevoke)
        case leaving
        /// Leaving so as to join again as a new member: the one way every broker is sure to
        /// start a new generation (some keep a stable group as it is when its leader rejoins).
        case leavingToRejoin
        case closed
        case failed
    }

    enum AfterDiscovery: Equatable { case join, resumeStable, leave }
    enum AfterRevoke: Equatable { case join, leave, leaveAndJoin }

    let configuration: Configuration
    private(set) var phase: Phase = .idle
    private(set) var coordinator: Int32?
    private(set) var memberID = ""
    private(set) var generation: Int32 = -1
    /// The partitions handed to the caller and not yet revoked.
    private(set) var assigned: [TopicPartition] = []
    private(set) var topics: [String] = []
    private var heartbeatInFlight = false
    private var lastHeartbeatAck: ContinuousClock.Instant?
    private var discoveryAttempts = 0
    private var lookupFailures: ReconnectWindow
    private var leaderMembers: [AssignorMember] = []
    /// The partition counts the last assignment was made with; only the leader knows them.
    private(set) var assignedCounts: [String: Int32]?
    private var topicCheckInFlight = false
    private var chosenProtocol = ""
    /// The leader named by the last JoinGroup answer.
    private var leader = ""
    /// Whether this member may be the group's leader: the last JoinGroup answer said so, or a
    /// JoinGroup went out whose answer has not come (it may have made this member the leader).
    private var mayLead = false
    /// Since when the member has been waiting for an assignment (nil while it holds one or is not joining).
    private var waitingSince: ContinuousClock.Instant?
    private var joinRounds = 0
    private var lastStallReport: ContinuousClock.Instant?

    init(configuration: Configuration) {
        self.configuration = configuration
        lookupFailures = ReconnectWindow(window: configuration.reconnectWindow)
    }

    mutating func handle(_ event: GroupMembershipEvent) -> GroupMembershipAction {
        switch event {
        case .subscribe(let topics):
            guard phase == .idle else { return .none }
            self.topics = topics
            return discover(then: .join)
        case .coordinatorFound(let nodeID):
            return coordinatorFound(nodeID)
        case .coordinatorLookupFailed(let error, let now):
            guard case .discovering(let then) = phase else { return .none }
            if then == .leave {
                // Closing: without a coordinator there is nobody to say goodbye to.
                phase = .closed
                return .closed
            }
            guard error.isRetriable || error.isUnreachable else { return fail(error) }
            // A broker restarting is unreachable for seconds: keep looking, for a bounded time.
            guard lookupFailures.failed(at: now) != nil else {
                return fail(.brokersUnreachable(for: configuration.reconnectWindow, lastError: "\(error)"))
            }
            discoveryAttempts += 1
            return .findCoordinator(after: backoff)
        case .joinGroupResponse(let response):
            guard phase == .joining else { return .none }
            return joined(response)
        case .partitionCounts(let counts):
            guard phase == .awaitingPartitionCounts else { return .none }
            return assignAsLeader(counts)
        case .syncGroupResponse(let response, let now):
            guard phase == .syncing else { return .none }
            return synced(response, now: now)
        case .heartbeatTick(let now):
            return stalledJoin(now: now) ?? heartbeatDue(now: now)
        case .heartbeatResponse(let code, let generation, let now):
            heartbeatInFlight = false
            guard generation == self.generation else { return .none }
            if phase == .revoking(then: .join) {
                // Already on the way to rejoin; only a forgotten member id changes that join.
                if code == KafkaErrorCode.unknownMemberId.rawValue { memberID = "" }
                return .none
            }
            guard phase == .stable else { return .none }
            if code == 0 {
                lastHeartbeatAck = now
                return .none
            }
            return membershipError(code, api: "Heartbeat")
        case .revokeFinished:
            guard case .revoking(let then) = phase else { return .none }
            assigned = []
            switch then {
            case .join: return coordinator == nil ? discover(then: .join) : startJoin()
            case .leave: return leave()
            case .leaveAndJoin: return leaveToRejoin()
            }
        case .assignmentFailed(let error):
            guard phase == .stable else { return .none }
            return error.isRetriable || error.isUnreachable ? rejoin(resetMemberID: false) : fail(error)
        case .requestFailed(let api, let error):
            return requestFailed(api, error)
        case .commitRejected(let code):
            guard phase == .stable else { return .none }
            return membershipError(code, api: "OffsetCommit")
        case .close:
            return close()
        case .leaveFinished:
            if phase == .leavingToRejoin { return joinAsNewMember() }
            guard phase == .leaving else { return .none }
            memberID = ""
            phase = .closed
            return .closed
        case .topicCheckTick:
            guard phase == .stable, !topicCheckInFlight else { return .none }
            topicCheckInFlight = true
            let watched = assignedCounts == nil ? topics : Set(leaderMembers.flatMap(\.topics) + topics).sorted()
            return .checkTopics(watched)
        case .topicsChecked(let counts):
            topicCheckInFlight = false
            // Topics created or grown since the assignment: the leader rebalances so they are read.
            guard phase == .stable, let counts, let assigned = assignedCounts, counts != assigned else { return .none }
            guard !self.assigned.isEmpty else { return leaveToRejoin() }
            phase = .revoking(then: .leaveAndJoin)
            return .revoke(self.assigned)
        }
    }

    // MARK: - Coordinator

    private mutating func discover(then: AfterDiscovery) -> GroupMembershipAction {
        coordinator = nil
        phase = .discovering(then: then)
        return .findCoordinator(after: backoff)
    }

    /// No wait for the first lookup, then 100 ms doubling up to 2 s.
    private var backoff: Duration {
        discoveryAttempts == 0 ? .zero : ReconnectWindow.pauses.backoff(afterAttempt: discoveryAttempts)
    }

    private mutating func coordinatorFound(_ nodeID: Int32) -> GroupMembershipAction {
        guard case .discovering(let then) = phase else { return .none }
        coordinator = nodeID
        discoveryAttempts = 0
        lookupFailures.succeeded()
        switch then {
        case .join:
            return startJoin()
        case .resumeStable:
            phase = .stable
            heartbeatInFlight = false
            return .none
        case .leave:
            return leave()
        }
    }

    private mutating func coordinatorMoved(then: AfterDiscovery) -> GroupMembershipAction {
        discoveryAttempts += 1
        return discover(then: then)
    }

    // MARK: - Join and sync

    private mutating func startJoin() -> GroupMembershipAction {
        phase = .joining
        joinRounds += 1
        mayLead = true
        let metadata = ConsumerProtocolCodec.subscription(topics: topics)
        return .sendJoinGroup(JoinGroupRequest(
            groupId: configuration.groupID,
            sessionTimeoutMs: configuration.sessionTimeout.wholeMilliseconds(as: Int32.self),
            rebalanceTimeoutMs: configuration.rebalanceTimeout.wholeMilliseconds(as: Int32.self),
            memberId: memberID,
            protocolType: ConsumerProtocolCodec.protocolType,
            protocols: configuration.assignors.map { .init(name: $0.protocolName, metadata: metadata) }))
    }

    private mutating func joined(_ response: JoinGroupResponse) -> GroupMembershipAction {
        mayLead = response.errorCode == 0 && response.leader == response.memberId
        switch response.errorCode {
        case 0:
            memberID = response.memberId
            generation = response.generationId
            chosenProtocol = response.protocolName ?? ""
            leader = response.leader
            if response.leader == response.memberId {
                do {
                    leaderMembers = try response.members.map {
                        var metadata = $0.metadata
                        let subscription = try ConsumerProtocolSubscription(versionPrefixed: &metadata)
                        return AssignorMember(memberID: $0.memberId, groupInstanceID: $0.groupInstanceId, topics: subscription.topics)
                    }
                } catch {
                    return fail(.malformedResponse("a member's subscription in group '\(configuration.groupID)' does not decode: \(error)"))
                }
                phase = .awaitingPartitionCounts
                return .fetchPartitionCounts(topics: Set(leaderMembers.flatMap(\.topics)).sorted())
            }
            assignedCounts = nil
            leaderMembers = []
            return sync(assignments: [])
        case KafkaErrorCode.memberIdRequired.rawValue:
            // Since JoinGroup v4 the coordinator names the member first and expects it back.
            memberID = response.memberId
            return startJoin()
        default:
            return membershipError(response.errorCode, api: "JoinGroup")
        }
    }

    private mutating func assignAsLeader(_ counts: [String: Int32]) -> GroupMembershipAction {
        guard let assignor = configuration.assignors.first(where: { $0.protocolName == chosenProtocol }) else {
            return fail(.configuration("group '\(configuration.groupID)' chose assignor '\(chosenProtocol)', which this member did not offer"))
        }
        assignedCounts = counts
        let plan = assignor.assign(leaderMembers, partitionCounts: counts)
        let assignments = plan.sorted { $0.key < $1.key }.map {
            SyncGroupRequest.Assignment(memberId: $0.key, assignment: ConsumerProtocolCodec.assignment($0.value))
        }
        return sync(assignments: assignments)
    }

    private mutating func sync(assignments: [SyncGroupRequest.Assignment]) -> GroupMembershipAction {
        phase = .syncing
        return .sendSyncGroup(SyncGroupRequest(
            groupId: configuration.groupID, generationId: generation, memberId: memberID,
            protocolType: ConsumerProtocolCodec.protocolType, protocolName: chosenProtocol, assignments: assignments))
    }

    private mutating func synced(_ response: SyncGroupResponse, now: ContinuousClock.Instant) -> GroupMembershipAction {
        guard response.errorCode == 0 else { return membershipError(response.errorCode, api: "SyncGroup") }
        let partitions: [TopicPartition]
        do {
            partitions = try ConsumerProtocolCodec.partitions(in: response.assignment)
        } catch {
            return fail(.malformedResponse("the assignment for group '\(configuration.groupID)' does not decode: \(error)"))
        }
        assigned = partitions
        phase = .stable
        heartbeatInFlight = false
        lastHeartbeatAck = now
        (waitingSince, joinRounds, lastStallReport) = (nil, 0, nil)
        return .assign(partitions)
    }

    /// Whether the member is on its way to an assignment (not holding one, not closing).
    private var awaitsAssignment: Bool {
        switch phase {
        case .joining, .awaitingPartitionCounts, .syncing, .leavingToRejoin,
             .discovering(then: .join), .revoking(then: .join), .revoking(then: .leaveAndJoin):
            return true
        case .idle, .discovering, .stable, .revoking, .leaving, .closed, .failed:
            return false
        }
    }

    /// A join that has gone on too long without an assignment is reported, once and then at
    /// intervals, so a group that cannot form is not silent.
    private mutating func stalledJoin(now: ContinuousClock.Instant) -> GroupMembershipAction? {
        guard awaitsAssignment else { return nil }
        let since = waitingSince ?? now
        waitingSince = since
        let report = configuration.stalledJoinReport
        guard now - since >= report.after, lastStallReport.map({ now - $0 >= report.every }) ?? true else { return nil }
        lastStallReport = now
        return .reportStalledJoin(StalledJoin(waited: now - since, joinRounds: joinRounds, leader: leader, memberID: memberID))
    }

    // MARK: - Stable

    private mutating func heartbeatDue(now: ContinuousClock.Instant) -> GroupMembershipAction {
        // Heartbeats go on while the caller's `revoked` runs, so a slow callback does not
        // also cost the member its session before it rejoins.
        let revoking = phase == .revoking(then: .join)
        guard phase == .stable || revoking else { return .none }
        if !revoking, let last = lastHeartbeatAck, now - last > configuration.sessionTimeout {
            // No heartbeat got through for a whole session: the coordinator has dropped us.
            return rejoin(resetMemberID: true)
        }
        guard !heartbeatInFlight else { return .none }
        heartbeatInFlight = true
        return .sendHeartbeat(HeartbeatRequest(groupId: configuration.groupID, generationId: generation, memberId: memberID))
    }

    /// The answer to errors that say the membership is out of date or the coordinator moved.
    private mutating func membershipError(_ code: Int16, api: String) -> GroupMembershipAction {
        switch KafkaErrorCode(rawValue: code) {
        case .rebalanceInProgress, .illegalGeneration:
            return rejoin(resetMemberID: false)
        case .unknownMemberId:
            return rejoin(resetMemberID: true)
        case .notCoordinator, .coordinatorNotAvailable, .coordinatorLoadInProgress:
            return coordinatorMoved(then: phase == .stable ? .resumeStable : .join)
        default:
            let name = KafkaErrorCode(rawValue: code).name
            return fail(.broker(code: code, name: name, message: nil, context: "\(api) for consumer group '\(configuration.groupID)'", retriable: false))
        }
    }

    /// Revokes what the caller holds (eager protocol), then joins again.
    private mutating func rejoin(resetMemberID: Bool) -> GroupMembershipAction {
        if resetMemberID {
            memberID = ""
            generation = -1
        }
        guard !assigned.isEmpty else {
            return coordinator == nil ? discover(then: .join) : startJoin()
        }
        phase = .revoking(then: .join)
        return .revoke(assigned)
    }

    private mutating func requestFailed(_ api: ApiKey, _ error: KafkaError) -> GroupMembershipAction {
        switch phase {
        case .joining, .awaitingPartitionCounts, .syncing:
            return error.isRetriable || error.isUnreachable ? coordinatorMoved(then: .join) : fail(error)
        case .stable where api == .heartbeat:
            heartbeatInFlight = false
            return error.isRetriable || error.isUnreachable ? coordinatorMoved(then: .resumeStable) : fail(error)
        case .leaving where api == .leaveGroup:
            phase = .closed
            return .closed
        case .leavingToRejoin where api == .leaveGroup:
            // The old member id expires with its session; join as a new one now.
            return joinAsNewMember()
        default:
            return .none
        }
    }

    // MARK: - Close

    private mutating func close() -> GroupMembershipAction {
        switch phase {
        case .idle, .failed, .closed:
            phase = .closed
            return .closed
        case .discovering:
            if memberID.isEmpty {
                phase = .closed
                return .closed
            }
            phase = .discovering(then: .leave)
            return .none
        case .joining, .awaitingPartitionCounts, .syncing:
            return leave()
        case .stable:
            guard !assigned.isEmpty else { return leave() }
            phase = .revoking(then: .leave)
            return .revoke(assigned)
        case .revoking:
            phase = .revoking(then: .leave)
            return .none
        case .leaving:
            return .none
        case .leavingToRejoin:
            phase = .leaving  // the LeaveGroup in flight ends in closed
            return .none
        }
    }

    private mutating func leaveToRejoin() -> GroupMembershipAction {
        guard !memberID.isEmpty, coordinator != nil else { return joinAsNewMember() }
        phase = .leavingToRejoin
        return .sendLeaveGroup(memberID: memberID)
    }

    private mutating func joinAsNewMember() -> GroupMembershipAction {
        memberID = ""
        generation = -1
        return coordinator == nil ? discover(then: .join) : startJoin()
    }

    /// A leader that leaves while the group rebalances can stay its leader with no member behind
    /// it (Tansu 0.6 keeps it, and every later join then waits on it for good), so a member that
    /// may lead lets its session expire instead: the group goes on without it a session later.
    private mutating func leave() -> GroupMembershipAction {
        guard !memberID.isEmpty, coordinator != nil, !mayLead else {
            phase = .closed
            return .closed
        }
        phase = .leaving
        return .sendLeaveGroup(memberID: memberID)
    }

    private mutating func fail(_ error: KafkaError) -> GroupMembershipAction {
        phase = .failed
        return .fail(error)
    }
}
