import Kafka
import KafkaTestSupport
import Logging
import NIOCore
import Synchronization
import ServiceLifecycle
import ServiceScope
import Testing

/// Consumer groups of `KafkaConsumer`s on a real Tansu broker. Short session timeouts keep
/// joins quick (Tansu holds JoinGroup for half of it).
@Suite(.serialized) struct ConsumerGroupIntegrationTests {
    let broker: TansuBroker
    init() throws { broker = try TansuBroker.start() }

    func settings(_ group: String, reset: ConsumerStart = .earliest) -> ConsumerGroupSettings {
        ConsumerGroupSettings(groupID: group, sessionTimeout: .seconds(3), heartbeatInterval: .milliseconds(300), autoOffsetReset: reset)
    }

    func createTopic(_ name: String, partitions: Int32) async throws -> Set<TopicPartition> {
        let admin = KafkaAdmin(configuration: broker.configuration)
        try await admin.createTopic(NewTopic(name: name, partitions: partitions))
        await admin.shutdown()
        return Set((0..<partitions).map { TopicPartition(topic: name, partition: $0) })
    }

    /// Produces keyed records `prefix-from` … and returns, per partition, the offset after the last.
    func produce(_ topic: String, _ range: Range<Int>, prefix: String = "k") async throws -> [TopicPartition: Int64] {
        let producer = try await KafkaProducer(configuration: broker.configuration)
        let results = try await whileRunning(producer) {
            await producer.send(contentsOf: range.map {
                ProducerRecord(topic: topic, key: ByteBuffer(string: "\(prefix)-\($0)"), value: ByteBuffer(string: "{\"n\":\($0)}"))
            })
        }
        var ends: [TopicPartition: Int64] = [:]
        for result in results {
            let metadata = try result.get()
            let tp = TopicPartition(topic: topic, partition: metadata.partition)
            ends[tp] = max(ends[tp] ?? 0, metadata.offset + 1)
        }
        return ends
    }

    /// Runs each member in a service group of its own while `body` runs; `body` stops a member
    /// early by shutting its group down. The rest are shut down gracefully once `body` returns.
    func running<T>(_ members: [String: KafkaConsumer], _ body: ([String: ServiceGroup]) async throws -> T) async throws -> T {
        let groups = members.mapValues { ServiceGroup(configuration: .init(services: [$0], logger: Logger(label: "test"))) }
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            for group in groups.values { tasks.addTask { try await group.run() } }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(groups))
            } catch {
                result = .failure(error)
            }
            for group in groups.values { await group.triggerGracefulShutdown() }
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    /// Processes every batch, then commits it, until the consumer stops.
    func consumeAndCommit(_ consumer: KafkaConsumer, as member: String, into observer: GroupObserver) -> Task<Void, any Error> {
        Task {
            for try await batch in consumer.batches() {
                await observer.process(batch, by: member)
                var next: [TopicPartition: Int64] = [:]
                for record in batch { next[TopicPartition(topic: record.topic, partition: record.partition)] = record.offset + 1 }
                try await consumer.commit(next)
                await observer.didCommit(next)
            }
        }
    }

    @Test("three members share six partitions; one leaves and its partitions move; every record is processed exactly once")
    func threeMembers() async throws {
        let topic = "group-three"
        let all = try await createTopic(topic, partitions: 6)
        let observer = GroupObserver()
        let names = ["a", "b", "c"]
        var members: [String: KafkaConsumer] = [:]
        for name in names { members[name] = try await KafkaConsumer(configuration: broker.configuration, group: settings("three")) }
        let loops = try await running(members) { groups in try await threeMembers(members, groups, topic: topic, all: all, observer: observer) }
        for loop in loops { try await loop.value }
    }

    func threeMembers(_ members: [String: KafkaConsumer], _ groups: [String: ServiceGroup], topic: String, all: Set<TopicPartition>,
                      observer: GroupObserver) async throws -> [Task<Void, any Error>] {
        let names = ["a", "b", "c"]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for name in names {
                let member = members[name]!
                group.addTask { try await member.subscribe(to: [topic], listener: observer.listener(for: name)) }
            }
            try await group.waitForAll()
        }
        let loops = names.map { consumeAndCommit(members[$0]!, as: $0, into: observer) }
        await observer.wait("three members owning six partitions") { $0.ownedExactlyOnce(all, by: names) }
        let owned = await observer.owned
        for name in names { #expect(members[name]!.assignment == owned[name]) }

        let firstEnds = try await produce(topic, 0..<300)
        await observer.wait("the first 300 records processed") { $0.processed.count == 300 }

        await groups["c"]!.triggerGracefulShutdown()
        await observer.wait("c's partitions moved to a and b") { $0.ownedExactlyOnce(all, by: ["a", "b"]) && ($0.owned["c"] ?? []).isEmpty }
        #expect(members["c"]!.assignment.isEmpty)

        let ends = try await produce(topic, 300..<600).merging(firstEnds) { max($0, $1) }
        await observer.wait("all 600 records processed and committed") { observer in
            observer.processed.count == 600 && ends.allSatisfy { observer.committed[$0.key] == $0.value }
        }
        let admin = KafkaAdmin(configuration: broker.configuration)
        let lag = try await admin.groupLag(group: "three", topic: topic)
        #expect(lag.allSatisfy { $0.lag == 0 })
        await admin.shutdown()
        let processed = await observer.processed
        let duplicates = processed.filter { $0.value != 1 }
        #expect(duplicates.isEmpty, "processed more than once: \(duplicates.keys.sorted().prefix(10))")
        let strays = await observer.strays
        #expect(strays.isEmpty, "records of partitions the member did not own: \(strays.prefix(10))")
        return loops
    }

    @Test("a new member starts at the committed offsets, and where none is committed at the reset position")
    func resumeFromCommitted() async throws {
        let topic = "group-resume"
        _ = try await createTopic(topic, partitions: 2)
        _ = try await produce(topic, 0..<40)
        let first = try await KafkaConsumer(configuration: broker.configuration, group: settings("resume"))
        let p0 = TopicPartition(topic: topic, partition: 0)
        let p1 = TopicPartition(topic: topic, partition: 1)
        try await whileRunning(first) {
            try await first.subscribe(to: [topic])
            #expect(first.assignment == [p0, p1])
            // Background commits land in order before a graceful stop leaves: the last one wins.
            first.commitInBackground([p0: 1])
            first.commitInBackground([p0: 2])
            first.commitInBackground([p0: 3])
        }

        let admin = KafkaAdmin(configuration: broker.configuration)
        #expect(try await admin.committedOffsets(group: "resume", topic: topic) == [0: 3])
        let ends = try await admin.offsets(topic: topic, .latest)

        for (reset, p1Start) in [(ConsumerStart.earliest, Int64(0)), (.latest, ends[1]!)] {
            let observer = GroupObserver()
            let second = try await KafkaConsumer(configuration: broker.configuration, group: settings("resume", reset: reset))
            try await whileRunning(second) {
                try await second.subscribe(to: [topic], listener: observer.listener(for: "second"))
                let starts = await observer.starts["second"]
                #expect(starts == [p0: 3, p1: p1Start])
                var iterator = second.batches(idleTimeout: .seconds(60)).makeAsyncIterator()
                let batch = try #require(try await iterator.next())
                #expect(batch.filter { $0.partition == 0 }.map(\.offset).min() == 3)
            }
        }
        await admin.shutdown()
    }

    @Test("the admin lists and describes the group as Tansu reports it (members without partitions), and the lag")
    func describeAndLag() async throws {
        let topic = "group-describe"
        let all = try await createTopic(topic, partitions: 4)
        let ends = try await produce(topic, 0..<20)
        let observer = GroupObserver()
        let a = try await KafkaConsumer(configuration: broker.configuration, group: settings("describe"))
        let b = try await KafkaConsumer(configuration: broker.configuration, group: settings("describe"))
        try await whileRunning(a) { try await whileRunning(b) { try await describeAndLag(a, b, topic: topic, all: all, ends: ends, observer: observer) } }
    }

    func describeAndLag(_ a: KafkaConsumer, _ b: KafkaConsumer, topic: String, all: Set<TopicPartition>, ends: [TopicPartition: Int64],
                        observer: GroupObserver) async throws {
        async let joinA: Bool = a.subscribe(to: [topic], listener: observer.listener(for: "a"))
        async let joinB: Bool = b.subscribe(to: [topic], listener: observer.listener(for: "b"))
        _ = try await (joinA, joinB)
        await observer.wait("both members own partitions") { $0.ownedExactlyOnce(all, by: ["a", "b"]) }
        let p0 = TopicPartition(topic: topic, partition: 0)
        try await (a.assignment.contains(p0) ? a : b).commit([p0: 2])

        let admin = KafkaAdmin(configuration: broker.configuration)
        #expect(try await admin.listGroups().contains { $0.groupID == "describe" && $0.protocolType == "consumer" })
        let description = try await admin.describeGroup("describe")
        #expect(description.state == "Stable")
        #expect(Set(description.members.map(\.memberID)) == [a.memberID, b.memberID])
        // Tansu 0.6 reports members without their protocol, metadata or assignment, so the
        // description must show no partitions rather than invent some. Decoding assignments a
        // broker does report is ConsumerProtocolCodecTests' job.
        #expect(description.members.map(\.assignment) == [[], []])
        #expect(description.assignor == "")
        let lag = try await admin.groupLag(group: "describe", topic: topic)
        #expect(lag.map(\.partition) == [0, 1, 2, 3])
        #expect(lag[0].committedOffset == 2)
        #expect(lag[0].lag == ends[p0]! - 2)
        #expect(lag[1].committedOffset == nil)
        #expect(lag.allSatisfy { $0.endOffset == ends[TopicPartition(topic: topic, partition: $0.partition)] ?? 0 })
        await admin.shutdown()
    }

    @Test("a member that owned nothing and then takes a partition over reads every record, even with a slow assigned callback")
    func idleMemberTakesOver() async throws {
        let topic = "group-idle"
        let all = try await createTopic(topic, partitions: 1)
        _ = try await produce(topic, 0..<50)
        let observer = GroupObserver()
        var members: [String: KafkaConsumer] = [:]
        for name in ["a", "b"] { members[name] = try await KafkaConsumer(configuration: broker.configuration, group: settings("idle")) }
        let loop = try await running(members) { groups in try await idleMemberTakesOver(members, groups, topic: topic, all: all, observer: observer) }
        try await loop.value
    }

    func idleMemberTakesOver(_ members: [String: KafkaConsumer], _ groups: [String: ServiceGroup], topic: String, all: Set<TopicPartition>,
                             observer: GroupObserver) async throws -> Task<Void, any Error> {
        for (name, member) in members {
            let recording = observer.listener(for: name)
            // Records fetched while the callback runs must wait for it, not be dropped.
            try await member.subscribe(to: [topic], listener: RebalanceListener(revoked: recording.revoked, assigned: { starts in
                if !starts.isEmpty { try? await Task.sleep(for: .seconds(1)) }
                await recording.assigned(starts)
            }))
        }
        await observer.wait("one member owns the partition") { $0.owned.values.contains(all) }
        let owner = await observer.owned["a"] == all ? "a" : "b"
        let idle = owner == "a" ? "b" : "a"
        // Only the idle member reads: it is reading (gate open, nothing assigned) when the partition moves.
        let loop = consumeAndCommit(members[idle]!, as: idle, into: observer)
        await groups[owner]!.triggerGracefulShutdown()
        await observer.wait("the idle member processed all 50 records", limit: .seconds(30)) { $0.processed.count == 50 }
        let processed = await observer.processed
        #expect(processed.count == 50 && processed.values.allSatisfy { $0 == 1 })
        return loop
    }
}
