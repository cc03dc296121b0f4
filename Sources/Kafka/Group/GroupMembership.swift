import KafkaProtocol
import Logging
import Synchronization

/// Runs a `GroupMembershipStateMachine` against the cluster. `run(topics:)` owns all the work
/// as child tasks: one feeds the machine events in order and carries out its actions; requests
/// run as children of their own and come back as events; heartbeats tick on their own child;
/// the caller's rebalance callbacks run one after another on a child of their own, so a slow
/// callback never delays a heartbeat.
final class GroupMembership: Sendable {
    /// What commits and callers need to know about the membership, updated after every event.
    struct Status: Sendable {
        var coordinator: Int32?
        var generation: Int32 = -1
        var memberID = ""
        var isClosed = false
    }

    let settings: ConsumerGroupSettings
    let listener: RebalanceListener
    let fetcher: PartitionConsumer
    let gate: HandOutGate
    private let events: AsyncStream<GroupMembershipEvent>.Continuation
    private let eventStream: AsyncStream<GroupMembershipEvent>
    private let callbacks: AsyncStream<@Sendable () async -> Void>.Continuation
    private let callbackStream: AsyncStream<@Sendable () async -> Void>
    /// Requests, lookups and reports, each run as a child task beside the machine.
    private let jobs: AsyncStream<@Sendable () async -> Void>.Continuation
    private let jobStream: AsyncStream<@Sendable () async -> Void>
    /// The status and who waits on it, under one lock.
    private struct Locked {
        var status = Status()
        /// `close` callers waiting for the leave to finish.
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(Locked())
    private let missingTopics = Mutex(MissingTopicWarnings())
    private static let logger = Logger(label: "userstream.kafka.group")

    init(settings: ConsumerGroupSettings, listener: RebalanceListener, fetcher: PartitionConsumer, gate: HandOutGate) {
        self.settings = settings
        self.listener = listener
        self.fetcher = fetcher
        self.gate = gate
        (eventStream, events) = AsyncStream.makeStream()
        (callbackStream, callbacks) = AsyncStream.makeStream()
        (jobStream, jobs) = AsyncStream.makeStream()
    }

    var status: Status { state.withLock { $0.status } }

    var cluster: KafkaCluster { fetcher.cluster }

    /// Takes part in the group for `topics` until cancelled (after `close`, which leaves the
    /// group); the gate opens once the first assignment is in place.
    func run(topics: [String]) async {
        let machine = GroupMembershipStateMachine(configuration: .init(
            groupID: settings.groupID, sessionTimeout: settings.sessionTimeout,
            rebalanceTimeout: settings.rebalanceTimeout, assignors: settings.assignors,
            reconnectWindow: fetcher.cluster.configuration.reconnectWindow,
            stalledJoinReport: (after: settings.stalledJoinAfter, every: .seconds(30))))
        let interval = settings.heartbeatInterval
        let events = self.events
        let callbackStream = self.callbackStream
        let jobStream = self.jobStream
        let checkInterval = settings.topicCheckInterval
        events.yield(.subscribe(topics: topics))
        await withDiscardingTaskGroup { group in
            group.addTask { await self.run(machine) }
            group.addTask { for await callback in callbackStream { await callback() } }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    events.yield(.heartbeatTick(now: .now))
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: checkInterval)
                    events.yield(.topicCheckTick)
                }
            }
            for await job in jobStream { group.addTask { await job() } }
        }
    }

    /// Tells the state machine something happened outside it (a refused commit).
    func report(_ event: GroupMembershipEvent) {
        events.yield(event)
    }

    /// Revokes (through the listener) and leaves the group; `run` goes on until cancelled.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let closed = state.withLock { locked in
                if !locked.status.isClosed { locked.closeWaiters.append(continuation) }
                return locked.status.isClosed
            }
            if closed { continuation.resume() } else { events.yield(.close) }
        }
    }

    private func run(_ initial: GroupMembershipStateMachine) async {
        var machine = initial
        for await event in eventStream {
            let action = machine.handle(event)
            state.withLock {
                $0.status.coordinator = machine.coordinator
                $0.status.generation = machine.generation
                $0.status.memberID = machine.memberID
            }
            perform(action, coordinator: machine.coordinator)
            if case .closed = action { return }
        }
    }

    private func perform(_ action: GroupMembershipAction, coordinator: Int32?) {
        let events = self.events
        let cluster = self.cluster
        let group = settings.groupID
        switch action {
        case .none:
            break
        case .findCoordinator(let delay):
            jobs.yield {
                if delay > .zero { try? await Task.sleep(for: delay) }
                do {
                    events.yield(.coordinatorFound(nodeID: try await GroupCoordinatorLookup.find(group: group, in: cluster)))
                } catch {
                    events.yield(.coordinatorLookupFailed(Self.kafkaError(error), now: .now))
                }
            }
        case .sendJoinGroup(let request):
            // The coordinator holds JoinGroup until the group has formed: up to the rebalance timeout.
            let timeout = settings.rebalanceTimeout + cluster.configuration.requestTimeout
            send(request, to: coordinator, timeout: timeout) { .joinGroupResponse($0) }
        case .fetchPartitionCounts(let topics):
            jobs.yield {
                var counts: [String: Int32] = [:]
                for topic in topics {
                    // A subscribed topic that does not exist gets no partitions, as in other clients;
                    // the topic checks pick it up once it is created.
                    if let metadata = try? await cluster.topic(topic, wait: .seconds(1)) {
                        counts[topic] = Int32(metadata.partitions.count)
                    }
                }
                self.warnAboutMissing(Set(topics).subtracting(counts.keys), now: .now)
                events.yield(.partitionCounts(counts))
            }
        case .checkTopics(let topics):
            jobs.yield {
                await cluster.invalidateMetadata()
                var counts: [String: Int32] = [:]
                var missing: Set<String> = []
                for topic in topics {
                    do {
                        counts[topic] = Int32(try await cluster.topic(topic, wait: .zero).partitions.count)
                    } catch KafkaError.unknownTopic {
                        missing.insert(topic)
                    } catch {
                        // No answer is not "no topic": leave the assignment as it is.
                        events.yield(.topicsChecked(nil))
                        return
                    }
                }
                self.warnAboutMissing(missing, now: .now)
                events.yield(.topicsChecked(counts))
            }
        case .sendSyncGroup(let request):
            send(request, to: coordinator, timeout: nil) { .syncGroupResponse($0, now: .now) }
        case .sendHeartbeat(let request):
            let generation = request.generationId
            send(request, to: coordinator, timeout: nil) { .heartbeatResponse(errorCode: $0.errorCode, generation: generation, now: .now) }
        case .revoke(let partitions):
            let (gate, fetcher, listener, limit) = (self.gate, self.fetcher, self.listener, settings.rebalanceTimeout)
            callbacks.yield {
                await gate.shutAndWaitForRelease(atMost: limit)
                await listener.revoked(partitions)
                fetcher.unassignAll()
                events.yield(.revokeFinished)
            }
        case .assign(let partitions):
            callbacks.yield { await self.apply(partitions, coordinator: coordinator) }
        case .sendLeaveGroup(let memberID):
            jobs.yield {
                do {
                    try await self.leave(memberID: memberID, coordinator: coordinator)
                    events.yield(.leaveFinished)
                } catch {
                    events.yield(.requestFailed(.leaveGroup, Self.kafkaError(error)))
                }
            }
        case .reportStalledJoin(let stall):
            jobs.yield { await self.warnAboutStalledJoin(stall) }
        case .closed:
            finish(failure: nil)
        case .fail(let error):
            finish(failure: error)
        }
    }

    private func warnAboutMissing(_ topics: Set<String>, now: ContinuousClock.Instant) {
        let due = missingTopics.withLock { $0.due(missing: topics, now: now) }
        for topic in due.sorted() {
            Self.logger.warning("topic '\(topic)' does not exist yet; consumer group '\(settings.groupID)' will read it once it is created")
        }
    }

    /// Warns that the member still has no assignment, with the group as its coordinator describes it.
    private func warnAboutStalledJoin(_ stall: StalledJoin) async {
        let group = settings.groupID
        var line = "consumer group '\(group)' has assigned no partitions to member \(stall.memberID.isEmpty ? "(none yet)" : stall.memberID) "
            + "for \(stall.waited.components.seconds) s (\(stall.joinRounds) JoinGroup rounds)"
        do {
            let description = try await KafkaAdmin(cluster: cluster).describeGroup(group)
            let members = description.members.map(\.memberID)
            line += "; the coordinator describes it as state \(description.state.isEmpty ? "(none)" : description.state), "
                + "protocol \(description.assignor.isEmpty ? "(none)" : description.assignor), "
                + "\(members.count) member(s): \(members.isEmpty ? "none" : members.joined(separator: ", "))"
            if !stall.leader.isEmpty, !members.contains(stall.leader) {
                line += "; its leader \(stall.leader) is not among them, and the group cannot form until the broker drops "
                    + "that leader (restart the broker or use another group)"
            }
        } catch {
            line += "; describing the group failed: \(error)"
        }
        Self.logger.warning("\(line)")
    }

    private func send<R: KafkaRequest>(_ request: R, to coordinator: Int32?, timeout: Duration?,
                                       _ event: @escaping @Sendable (R.Response) -> GroupMembershipEvent) {
        let events = self.events
        let cluster = self.cluster
        let group = settings.groupID
        jobs.yield {
            do {
                guard let coordinator else { throw GroupCoordinatorLookup.notFound(group: group, doing: R.apiKey.name) }
                let connection = try await cluster.connection(to: coordinator)
                events.yield(event(try await connection.send(request, timeout: timeout)))
            } catch {
                events.yield(.requestFailed(R.apiKey, Self.kafkaError(error)))
            }
        }
    }

    /// Tells the listener the new assignment, opens the gate for it, and only then starts fetching
    /// at the committed offsets (or the reset position): a round fetched earlier would reach a gate
    /// still set for the old assignment, which drops its records after their positions moved on.
    private func apply(_ partitions: [TopicPartition], coordinator: Int32?) async {
        do {
            let starts = try await StartingOffsets.resolve(
                partitions, group: settings.groupID, coordinator: coordinator, reset: settings.autoOffsetReset,
                isolation: fetcher.settings.isolation, cluster: cluster)
            await listener.assigned(starts)
            gate.open(assignment: Set(partitions))
            fetcher.assign(positions: starts)
        } catch {
            events.yield(.assignmentFailed(Self.kafkaError(error)))
        }
    }

    private func leave(memberID: String, coordinator: Int32?) async throws {
        guard let coordinator else { return }
        let connection = try await cluster.connection(to: coordinator)
        let version = try connection.version(for: LeaveGroupRequest.self)
        // Version 3 replaced the single member id with a list of members.
        let request = version >= 3
            ? LeaveGroupRequest(groupId: settings.groupID, members: [.init(memberId: memberID)])
            : LeaveGroupRequest(groupId: settings.groupID, memberId: memberID)
        _ = try await connection.send(request, version: version)
    }

    private func finish(failure: KafkaError?) {
        gate.end(failure: failure)
        guard failure == nil else { return }  // the gate tells the caller; close() still leaves
        let closing = state.withLock { locked in
            locked.status.isClosed = true
            defer { locked.closeWaiters.removeAll() }
            return locked.closeWaiters
        }
        closing.forEach { $0.resume() }
        events.finish()
        callbacks.finish()
    }

    static func kafkaError(_ error: any Error) -> KafkaError {
        if let error = error as? KafkaError { return error }
        if error is CancellationError { return .shutDown }
        return .malformedResponse("\(error)")
    }
}
