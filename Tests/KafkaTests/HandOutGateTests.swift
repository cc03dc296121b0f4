import Dispatch
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

    /// Starts a shut and then a release, one job at a time in that order, and returns the order
    /// in which they finished: the release can finish first only if the shut suspended for it.
    func shutThenRelease(_ gate: HandOutGate) async -> [String] {
        let order = EventLog()
        await withTaskExecutorPreference(OneJobAtATime()) {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await gate.shutAndWaitForRelease(atMost: .seconds(3600))  // only a release ends a wait this long
                    order.append("shut")
                }
                group.addTask {
                    order.append("released")
                    gate.release()
                }
            }
        }
        return order.events
    }

    @Test("shutting with no batch in hand returns at once")
    func shutWithoutBatch() async {
        let gate = HandOutGate()
        gate.open(assignment: [TopicPartition(topic: "t", partition: 0)])
        _ = gate.handOut([record(1, 1)], if: { true })  // nothing passed, so nothing is in hand
        #expect(await shutThenRelease(gate) == ["shut", "released"])
        // The same steps with a batch in hand do wait, so the order above is the gate's doing.
        gate.open(assignment: [TopicPartition(topic: "t", partition: 0)])
        _ = gate.handOut([record(0, 2)], if: { true })
        #expect(await shutThenRelease(gate) == ["released", "shut"])
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

/// Events in the order they happened, from any task.
private final class EventLog: Sendable {
    private let log = Mutex<[String]>([])
    func append(_ event: String) { log.withLock { $0.append(event) } }
    var events: [String] { log.withLock { $0 } }
}

/// Runs the jobs of the tasks that prefer it one at a time, in the order they were enqueued, so
/// which of two tasks finishes first depends only on whether one suspends.
private final class OneJobAtATime: TaskExecutor {
    private let queue = DispatchQueue(label: "HandOutGateTests.one-job-at-a-time")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
