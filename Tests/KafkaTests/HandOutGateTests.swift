import Synchronization
import Testing
@testable import Kafka

/// The gate between fetched records and the caller, without a broker.
@Suite struct HandOutGateTests {
    func record(_ partition: Int32, _ offset: Int64) -> ConsumerRecord {
        ConsumerRecord(topic: "t", partition: partition, offset: offset, timestamp: 0, key: nil, value: nil, headers: [])
    }

    @Test("nothing passes a shut gate; an open one passes only assigned partitions' records")
    func filtering() {
        let gate = HandOutGate()
        #expect(gate.handOut([record(0, 1)], if: { true }) == nil)
        gate.open(assignment: [TopicPartition(topic: "t", partition: 0)])
        #expect(gate.handOut([record(0, 1), record(1, 1)], if: { true })?.map(\.partition) == [0])
        #expect(gate.handOut([record(0, 2)], if: { false }) == nil)
        #expect(gate.assignment == [TopicPartition(topic: "t", partition: 0)])
    }

    @Test("shutting waits for the batch in hand to be released, and then nothing passes")
    func shutWaitsForRelease() async {
        let gate = HandOutGate()
        gate.open(assignment: [TopicPartition(topic: "t", partition: 0)])
        _ = gate.handOut([record(0, 1)], if: { true })
        let order = Mutex<[String]>([])
        let shutting = Task {
            await gate.shutAndWaitForRelease(atMost: .seconds(60))
            order.withLock { $0.append("shut") }
        }
        order.withLock { $0.append("released") }
        gate.release()
        await shutting.value
        #expect(order.withLock { $0 } == ["released", "shut"])
        #expect(gate.handOut([record(0, 2)], if: { true }) == nil)
        #expect(gate.assignment.isEmpty)
    }

    @Test("shutting with no batch in hand returns at once")
    func shutWithoutBatch() async {
        let gate = HandOutGate()
        gate.open(assignment: [TopicPartition(topic: "t", partition: 0)])
        _ = gate.handOut([record(1, 1)], if: { true })  // nothing passed, so nothing is in hand
        await gate.shutAndWaitForRelease(atMost: .seconds(60))
    }

    @Test("waiting for the gate ends when it opens, when the wait times out, and when the consumer ends")
    func waiting() async {
        let gate = HandOutGate()
        #expect(await gate.waitUntilOpen(timeout: .milliseconds(1)) == .timedOut)
        let opened = Task { await gate.waitUntilOpen(timeout: nil) }
        gate.open(assignment: [])
        #expect(await opened.value == .open)
        await gate.shutAndWaitForRelease(atMost: .seconds(60))
        let ended = Task { await gate.waitUntilOpen(timeout: nil) }
        gate.end(failure: .shutDown)
        #expect(await ended.value == .ended)
        #expect(gate.hasEnded)
        #expect(gate.failure != nil)
    }
}
