import KafkaProtocol
import NIOCore
import Testing
@testable import Kafka

/// The producer's decisions as values: tokens are record indexes, flush waiters are names.
@Suite struct ProducerStateTests {
    typealias State = ProducerState<Int, String>
    let t0 = ContinuousClock.now

    /// A cluster of brokers 1 and 2; topic `users` has `partitions` partitions, led by broker 1
    /// and 2 in turn, except those in `leaderless`.
    func cluster(partitions: Int = 4, leaderless: Set<Int32> = []) -> ClusterMetadata {
        var metadata = ClusterMetadata()
        for id: Int32 in [1, 2] {
            metadata.brokers[id] = .init(nodeID: id, address: BrokerAddress(host: "broker\(id)", port: 9092))
        }
        let list = (0..<Int32(partitions)).map { id in
            ClusterMetadata.Partition(id: id, leader: leaderless.contains(id) ? -1 : 1 + id % 2, leaderEpoch: 0, replicas: [], errorCode: 0)
        }
        metadata.topics["users"] = .init(name: "users", errorCode: 0, isInternal: false, partitions: list)
        return metadata
    }

    func state(batchSize: Int = 1024, linger: Duration = .seconds(10), maxRecordSize: Int = 1000,
               maxRequestSize: Int = 8 << 20, metadata: ClusterMetadata? = nil) -> State {
        var settings = ProducerSettings()
        settings.batchSize = batchSize
        settings.linger = linger
        settings.maxRecordSize = maxRecordSize
        settings.maxRequestSize = maxRequestSize
        var state = State(settings: settings)
        let metadata = metadata ?? cluster()
        state.learned(topic: "users", partitionCount: metadata.topics["users"]!.partitions.count, metadata: metadata)
        return state
    }

    func record(key: String? = nil, value: Int = 100, partition: Int32? = nil, topic: String = "users") -> ProducerRecord {
        ProducerRecord(topic: topic, key: key.map { ByteBuffer(string: $0) }, value: ByteBuffer(repeating: 0x61, count: value), partition: partition)
    }

    /// The record batch a drained batch goes out as.
    func sent(_ batch: State.Batch) throws -> RecordBatch {
        guard case .success(let bytes)? = batch.records.sealed else { throw Failure("batch not sealed: \(String(describing: batch.records.sealed))") }
        let batches = try RecordBatchDecoder().decodeBatches(bytes)
        guard batches.count == 1 else { throw Failure("\(batches.count) batches") }
        return batches[0]
    }

    struct Failure: Error { let message: String; init(_ message: String) { self.message = message } }

    func enqueue(_ state: inout State, _ records: [ProducerRecord], lookupFailures: [String: KafkaError] = [:]) -> [(index: Int, error: KafkaError)] {
        state.enqueue(records, lookupFailures: lookupFailures, now: t0, timestamp: 1_700_000_000_000) { $0 }
    }

    @Test("keyed records take murmur2's partition, explicit ones their own")
    func partitioning() {
        var state = state()
        let keys = ["alice", "bob", "carol", "dave"]
        let refused = enqueue(&state, keys.map { record(key: $0) } + [record(partition: 3)])
        #expect(refused.isEmpty)
        let round = state.nextRound(now: t0 + .seconds(10))
        var placed: [Int: Int32] = [:]
        for request in round.requests {
            for batch in request.batches {
                #expect(request.leader == 1 + batch.partition.partition % 2, "sent to the partition's leader")
                for token in batch.tokens { placed[token] = batch.partition.partition }
            }
        }
        for (index, key) in keys.enumerated() {
            let expected = Array(key.utf8).withUnsafeBytes { Murmur2Partitioner.partition(forKey: $0, partitionCount: 4) }
            #expect(placed[index] == expected, "\(key)")
        }
        #expect(placed[4] == 3)
    }

    @Test("records without a timestamp get the send's, and go out as queued: keys, values and order")
    func recordsGoOutAsQueued() throws {
        var state = state()
        _ = enqueue(&state, [record(key: "k", value: 3, partition: 0), ProducerRecord(topic: "users", value: nil, partition: 0, timestamp: 42)])
        let batch = try sent(state.nextRound(now: t0 + .seconds(10)).requests[0].batches[0])
        #expect(batch.records.map(\.timestamp) == [1_700_000_000_000, 42])
        #expect(batch.records.map { $0.key.map { String(buffer: $0) } } == ["k", nil])
        #expect(batch.records.map { $0.value.map { String(buffer: $0) } } == ["aaa", nil])
    }

    @Test("a record for a partition the topic does not have, one too large, or one for a topic that failed lookup is refused with why")
    func refusals() {
        var state = state()
        let lookup = KafkaError.unknownTopic("ghosts")
        let refused = enqueue(&state, [record(partition: 9), record(value: 5000), record(topic: "ghosts"), record(partition: 0)],
                              lookupFailures: ["ghosts": lookup])
        #expect(refused.map(\.index) == [0, 1, 2])
        #expect("\(refused[0].error)".contains("partition 9 does not exist in topic 'users' (it has 4)"))
        guard case .messageTooLarge(let size, let limit) = refused[1].error else { Issue.record("\(refused[1].error)"); return }
        #expect(size > 5000 && limit == 1000)
        guard case .unknownTopic("ghosts") = refused[2].error else { Issue.record("\(refused[2].error)"); return }
    }

    @Test("a closed producer refuses every record and hands back what never went out")
    func closing() {
        var state = state()
        _ = enqueue(&state, [record(partition: 0), record(partition: 1)])
        let unsent = state.close()
        #expect(unsent.flatMap(\.tokens).sorted() == [0, 1])
        let refused = enqueue(&state, [record(partition: 0)])
        guard refused.count == 1, case .shutDown = refused[0].error else { Issue.record("\(refused)"); return }
        let round = state.nextRound(now: t0)
        #expect(round.isFinished)
    }

    @Test("a flush sends partial batches at once and its waiter goes on when the last batch is answered")
    func flushing() {
        var state = state()
        let keptWhileIdle = state.flush("idle")
        #expect(!keptWhileIdle, "nothing outstanding: the waiter is not kept")
        _ = enqueue(&state, [record(partition: 0), record(partition: 1)])
        let lingering = state.nextRound(now: t0)
        #expect(lingering.requests.isEmpty, "linger holds partial batches")
        let kept = state.flush("flush")
        #expect(kept)
        let batches = state.nextRound(now: t0).requests.flatMap(\.batches)
        #expect(batches.count == 2)
        let first = state.answered(batches[0], errorCode: 0, retriable: false, now: t0)
        guard case .completed = first.verdict else { Issue.record("\(first.verdict)"); return }
        #expect(first.waiters.isEmpty, "one batch still in flight")
        let second = state.answered(batches[1], errorCode: 0, retriable: false, now: t0)
        #expect(second.waiters == ["flush"])
    }

    @Test("batches for one leader share requests no larger than the request size")
    func requestsSplitBySize() {
        var state = state(batchSize: 150, maxRequestSize: 300)
        _ = enqueue(&state, (0..<6).map { _ in record(partition: 0) } + [record(partition: 1)])
        let requests = state.nextRound(now: t0 + .seconds(10)).requests
        let toBroker1 = requests.filter { $0.leader == 1 }
        #expect(toBroker1.count > 1, "the batches of partition 0 do not fit one request")
        for request in toBroker1 {
            #expect(request.batches.count == 1 || request.batches.map(\.bytes).reduce(0, +) <= 300)
        }
        #expect(requests.filter { $0.leader == 2 }.flatMap(\.batches).map(\.partition.partition) == [1])
    }

    @Test("records for a partition without a leader wait and ask for fresh metadata; the refresh lets them go")
    func leaderlessPartition() {
        var state = state(metadata: cluster(leaderless: [0]))
        _ = enqueue(&state, [record(partition: 0)])
        let waiting = state.nextRound(now: t0 + .seconds(10))
        #expect(waiting.requests.isEmpty)
        #expect(state.needsMetadata)
        state.refreshed(cluster())
        #expect(!state.needsMetadata)
        let sent = state.nextRound(now: t0 + .seconds(10))
        #expect(sent.requests.map(\.leader) == [1])
    }

    @Test("an answer saying the leader moved asks for fresh metadata and retries the batch")
    func notLeaderAnswer() {
        var state = state()
        _ = enqueue(&state, [record(partition: 0)])
        let batch = state.nextRound(now: t0 + .seconds(10)).requests[0].batches[0]
        let answer = state.answered(batch, errorCode: KafkaErrorCode.notLeaderOrFollower.rawValue, retriable: true, now: t0)
        guard case .retry = answer.verdict else { Issue.record("\(answer.verdict)"); return }
        #expect(state.needsMetadata)
    }

    @Test("a refresh learns new partitions of topics in use and ignores other topics")
    func refreshLearnsPartitions() {
        var state = state(metadata: cluster(partitions: 2))
        let before = enqueue(&state, [record(partition: 3)])
        #expect(before.count == 1)
        var grown = cluster(partitions: 4)
        grown.topics["other"] = .init(name: "other", errorCode: 0, isInternal: false, partitions: [])
        state.refreshed(grown)
        let after = enqueue(&state, [record(partition: 3)])
        #expect(after.isEmpty)
        #expect(state.unknownTopics(["users", "other"]) == ["other"])
    }

    @Test("a batch goes out with the producer id, epoch and sequence of its attempt; a retry under a new id is restamped")
    func identity() throws {
        var state = state()
        state.identified(as: .init(id: 7, epoch: 2))
        _ = enqueue(&state, [record(partition: 0), record(partition: 0)])
        let first = state.nextRound(now: t0 + .seconds(10)).requests[0].batches[0]
        let firstSent = try sent(first)
        #expect([firstSent.producerId, Int64(firstSent.producerEpoch), Int64(firstSent.baseSequence)] == [7, 2, 0])
        // The broker no longer knows the producer: a new id, and the batch again from sequence 0.
        _ = state.answered(first, errorCode: KafkaErrorCode.unknownProducerId.rawValue, retriable: true, now: t0)
        state.identified(as: .init(id: 8, epoch: 0))
        let retried = try sent(state.nextRound(now: t0 + .seconds(20)).requests[0].batches[0])
        #expect([retried.producerId, Int64(retried.producerEpoch), Int64(retried.baseSequence)] == [8, 0, 0])
        #expect(retried.records.count == 2, "the same records, verified by the CRC the decoder checks")
    }
}
