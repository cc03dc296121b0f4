import KafkaProtocol
import Testing
@testable import Kafka

@Suite struct RecordAccumulatorTests {
    typealias Accumulator = RecordAccumulator<[Int], Int>
    let tp = TopicPartition(topic: "t", partition: 0)
    let t0 = ContinuousClock.now

    func accumulator(batchSize: Int = 100, linger: Duration = .milliseconds(5), maxAttempts: Int = 5) -> Accumulator {
        Accumulator(settings: .init(batchSize: batchSize, linger: linger, maxInFlight: 5, retryBackoff: .milliseconds(100), maxAttempts: maxAttempts))
    }

    @Test("a batch is sent once it reaches the batch size, without waiting for linger")
    func fullBatchSent() {
        var acc = accumulator()
        let sealedFirst = acc.append(1, size: 60, token: 1, to: tp, now: t0)
        let sealedSecond = acc.append(2, size: 40, token: 2, to: tp, now: t0)
        #expect(!sealedFirst)
        #expect(sealedSecond)
        let batches = acc.drain(now: t0, flushing: false) { _ in true }
        #expect(batches.map(\.records) == [[1, 2]])
        #expect(batches[0].baseSequence == 0)
    }

    @Test("a record that would take a batch past its size starts the next batch")
    func batchNeverOverflows() {
        var acc = accumulator()
        let sealed = [
            acc.append(1, size: 60, token: 1, to: tp, now: t0),
            acc.append(2, size: 60, token: 2, to: tp, now: t0),
            acc.append(3, size: 150, token: 3, to: tp, now: t0),  // alone, whatever its size
        ]
        #expect(sealed == [false, true, true])
        let batches = acc.drain(now: t0, flushing: true) { _ in true }
        #expect(batches.map(\.records) == [[1], [2], [3]])
    }

    @Test("a partial batch waits for linger, then goes")
    func lingerRespected() {
        var acc = accumulator()
        acc.append(1, size: 10, token: 1, to: tp, now: t0)
        let r1 = acc.drain(now: t0 + .milliseconds(1), flushing: false) { _ in true }
        #expect(r1.isEmpty)
        #expect(acc.nextDeadline() == t0 + .milliseconds(5))
        let r2 = acc.drain(now: t0 + .milliseconds(5), flushing: false) { _ in true }
        #expect(r2.count == 1)
    }

    @Test("flush sends partial batches at once")
    func flushSendsPartial() {
        var acc = accumulator()
        acc.append(1, size: 10, token: 1, to: tp, now: t0)
        let r3 = acc.drain(now: t0, flushing: true) { _ in true }
        #expect(r3.count == 1)
        #expect(!acc.isIdle)
    }

    @Test("sequence numbers advance by record count, per partition")
    func sequencesAdvance() {
        var acc = accumulator(batchSize: 20)
        for i in 0..<6 { acc.append(i, size: 10, token: i, to: tp, now: t0) }
        acc.append(9, size: 10, token: 9, to: TopicPartition(topic: "t", partition: 1), now: t0)
        let batches = acc.drain(now: t0, flushing: true) { _ in true }.sorted { ($0.partition.partition, $0.baseSequence!) < ($1.partition.partition, $1.baseSequence!) }
        #expect(batches.map(\.baseSequence) == [0, 2, 4, 0])
    }

    @Test("at most five batches per partition are in flight")
    func maxInFlight() {
        var acc = accumulator(batchSize: 10)
        for i in 0..<7 { acc.append(i, size: 10, token: i, to: tp, now: t0) }
        let first = acc.drain(now: t0, flushing: true) { _ in true }
        #expect(first.count == 5)
        let r4 = acc.drain(now: t0, flushing: true) { _ in true }
        #expect(r4.isEmpty)
        let r5 = acc.answered(first[0], errorCode: 0, retriable: false, now: t0)
        #expect(r5 == .completed)
        let r6 = acc.drain(now: t0, flushing: true) { _ in true }
        #expect(r6.count == 1)
    }

    @Test("a retriable failure is retried with the same sequence, before later batches, one at a time")
    func inOrderRetry() {
        var acc = accumulator(batchSize: 10)
        for i in 0..<3 { acc.append(i, size: 10, token: i, to: tp, now: t0) }
        let sent = acc.drain(now: t0, flushing: true) { _ in true }
        #expect(sent.map(\.baseSequence) == [0, 1, 2])
        // The first fails with NOT_LEADER_OR_FOLLOWER; the broker then rejects the next ones as out of order.
        let r7 = acc.answered(sent[0], errorCode: 6, retriable: true, now: t0)
        #expect(r7 == .retry)
        let r8 = acc.answered(sent[2], errorCode: 45, retriable: false, now: t0)
        #expect(r8 == .retry)
        let r9 = acc.answered(sent[1], errorCode: 45, retriable: false, now: t0)
        #expect(r9 == .retry)
        let r10 = acc.drain(now: t0, flushing: true) { _ in true }
        #expect(r10.isEmpty, "backoff first")
        let later = t0 + .milliseconds(100)
        let retry1 = acc.drain(now: later, flushing: true) { _ in true }
        #expect(retry1.map(\.baseSequence) == [0])
        #expect(retry1[0].attempts == 2)
        let r11 = acc.answered(retry1[0], errorCode: 0, retriable: false, now: later)
        #expect(r11 == .completed)
        let rest = acc.drain(now: later, flushing: true) { _ in true }
        #expect(rest.map(\.baseSequence) == [1, 2])
    }

    @Test("a duplicate sequence counts as written")
    func duplicateIsSuccess() {
        var acc = accumulator()
        acc.append(1, size: 10, token: 1, to: tp, now: t0)
        let sent = acc.drain(now: t0, flushing: true) { _ in true }
        let r12 = acc.answered(sent[0], errorCode: 46, retriable: false, now: t0)
        #expect(r12 == .completed)
        #expect(acc.isIdle)
    }

    @Test("non-retriable errors and exhausted retries fail the batch")
    func failures() {
        var acc = accumulator(maxAttempts: 1)
        acc.append(1, size: 10, token: 1, to: tp, now: t0)
        acc.append(2, size: 10, token: 2, to: TopicPartition(topic: "t", partition: 1), now: t0)
        let sent = acc.drain(now: t0, flushing: true) { _ in true }
        let r13 = acc.answered(sent[0], errorCode: 10, retriable: false, now: t0)
        #expect(r13 == .fail)
        let r14 = acc.answered(sent[1], errorCode: 6, retriable: true, now: t0)
        #expect(r14 == .fail)
        #expect(acc.isIdle)
    }

    @Test("UNKNOWN_PRODUCER_ID holds everything back until a new producer id, then resends with new sequences")
    func unknownProducerID() {
        var acc = accumulator(batchSize: 10)
        for i in 0..<2 { acc.append(i, size: 10, token: i, to: tp, now: t0) }
        let sent = acc.drain(now: t0, flushing: true) { _ in true }
        #expect(acc.answered(sent[0], errorCode: KafkaErrorCode.unknownProducerId.rawValue, retriable: false, now: t0) == .retry)
        #expect(acc.needsNewProducerID)
        #expect(acc.answered(sent[1], errorCode: KafkaErrorCode.outOfOrderSequenceNumber.rawValue, retriable: false, now: t0) == .retry)
        #expect(acc.drain(now: t0 + .seconds(5), flushing: true) { _ in true }.isEmpty, "sent before a new producer id")
        acc.startNewGeneration()
        #expect(!acc.needsNewProducerID)
        let resent = acc.drain(now: t0 + .seconds(5), flushing: true) { _ in true }
        // In their order, numbered afresh for the new producer id.
        #expect(resent.map(\.records) == [[0], [1]])
        #expect(resent.map(\.baseSequence) == [0, 1])
        #expect(resent.allSatisfy { $0.generation == 1 })
    }

    @Test("a batch refused as out of order while alone on the wire needs a new producer id")
    func realSequenceGap() {
        var acc = accumulator(batchSize: 10)
        acc.append(1, size: 10, token: 1, to: tp, now: t0)
        let sent = acc.drain(now: t0, flushing: true) { _ in true }
        // The first refusal may be pipelining; the batch goes again alone.
        #expect(acc.answered(sent[0], errorCode: KafkaErrorCode.outOfOrderSequenceNumber.rawValue, retriable: false, now: t0) == .retry)
        #expect(!acc.needsNewProducerID)
        let alone = acc.drain(now: t0 + .seconds(1), flushing: true) { _ in true }
        #expect(acc.answered(alone[0], errorCode: KafkaErrorCode.outOfOrderSequenceNumber.rawValue, retriable: false, now: t0 + .seconds(1)) == .retry)
        #expect(acc.needsNewProducerID)
    }

    @Test("retries pause longer each time up to a cap, and end at the delivery timeout")
    func retriesWithinTheDeliveryTimeout() {
        var acc = Accumulator(settings: .init(batchSize: 10, linger: .zero, maxInFlight: 5, retryBackoff: .milliseconds(100),
                                              maxAttempts: .max, deliveryTimeout: .seconds(10), retryBackoffMax: .milliseconds(400)))
        acc.append(1, size: 10, token: 1, to: tp, now: t0)
        var now = t0
        var sent = acc.drain(now: now, flushing: true) { _ in true }
        var pauses: [Duration] = []
        for _ in 0..<5 {
            #expect(acc.answered(sent[0], errorCode: -1, retriable: true, now: now) == .retry)
            let failedAt = now
            repeat {
                now += .milliseconds(50)
                sent = acc.drain(now: now, flushing: true) { _ in true }
            } while sent.isEmpty
            pauses.append(now - failedAt)
        }
        #expect(pauses == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(400), .milliseconds(400)])
        #expect(acc.answered(sent[0], errorCode: -1, retriable: true, now: t0 + .seconds(10)) == .fail)
        #expect(acc.isIdle)
    }

    @Test("queued batches older than the delivery timeout expire")
    func queuedBatchesExpire() {
        var acc = Accumulator(settings: .init(batchSize: 10, linger: .zero, maxInFlight: 5, retryBackoff: .milliseconds(100),
                                              maxAttempts: .max, deliveryTimeout: .seconds(10)))
        acc.append(1, size: 10, token: 1, to: tp, now: t0)
        acc.append(2, size: 5, token: 2, to: tp, now: t0 + .seconds(5))
        #expect(acc.expire(now: t0 + .seconds(9)).isEmpty)
        #expect(acc.expire(now: t0 + .seconds(10)).map(\.records) == [[1]])
        #expect(acc.expire(now: t0 + .seconds(15)).map(\.records) == [[2]])
        #expect(acc.isIdle)
    }

    @Test("partitions without a known leader are held back")
    func unroutableHeld() {
        var acc = accumulator()
        acc.append(1, size: 10, token: 1, to: tp, now: t0)
        let r15 = acc.drain(now: t0, flushing: true) { _ in false }
        #expect(r15.isEmpty)
        let r16 = acc.drain(now: t0, flushing: true) { _ in true }
        #expect(r16.count == 1)
    }

    @Test("a new producer id restarts sequences for unsent batches")
    func newGeneration() {
        var acc = accumulator(batchSize: 10)
        acc.append(1, size: 10, token: 1, to: tp, now: t0)
        _ = acc.drain(now: t0, flushing: true) { _ in true }
        acc.startNewGeneration()
        acc.append(2, size: 10, token: 2, to: tp, now: t0)
        let r17 = acc.drain(now: t0, flushing: true) { _ in true }
        #expect(r17.map(\.baseSequence) == [0])
    }
}

@Suite struct MetadataRefreshPolicyTests {
    @Test("leader moves and topic creation invalidate metadata; other errors do not")
    func invalidation() {
        #expect(MetadataRefreshPolicy.invalidatesMetadata(6))  // NOT_LEADER_OR_FOLLOWER
        #expect(MetadataRefreshPolicy.invalidatesMetadata(3))  // UNKNOWN_TOPIC_OR_PARTITION
        #expect(MetadataRefreshPolicy.invalidatesMetadata(5))  // LEADER_NOT_AVAILABLE
        #expect(!MetadataRefreshPolicy.invalidatesMetadata(10)) // MESSAGE_TOO_LARGE
        #expect(!MetadataRefreshPolicy.invalidatesMetadata(0))
    }

    @Test("metadata expires after its maximum age")
    func expiry() {
        let policy = MetadataRefreshPolicy(maxAge: .seconds(300))
        let t0 = ContinuousClock.now
        #expect(!policy.isExpired(fetchedAt: t0, now: t0 + .seconds(299)))
        #expect(policy.isExpired(fetchedAt: t0, now: t0 + .seconds(300)))
    }
}
