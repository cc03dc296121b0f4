import Kafka
import Logging
import UserSinks
import Metering
import ServiceLifecycle
import ServiceScope

/// One stream processor wired to its consumer group, dead-letter producer and sink. A
/// `Service`: `run()` processes until the group shuts it down, then finishes the batch in
/// progress, commits, and delivers its dead letters before returning.
public final class StreamRunner: Service, Sendable {
    public let processor: StreamProcessor
    private let consumer: KafkaConsumer
    private let topic: String
    private let listener: RebalanceListener
    /// How long `run` waits for the group's first assignment before it counts as idle (no limit when nil).
    private let assignmentWait: Duration?
    private let deadLetters: KafkaProducer
    /// The sink the processor writes to (open until `close()`).
    public let store: any UserSink

    private init(processor: StreamProcessor, consumer: KafkaConsumer, topic: String, listener: RebalanceListener, assignmentWait: Duration?,
                 deadLetters: KafkaProducer, store: any UserSink) {
        self.processor = processor
        self.consumer = consumer
        self.topic = topic
        self.listener = listener
        self.assignmentWait = assignmentWait
        self.deadLetters = deadLetters
        self.store = store
    }

    /// Fetches of up to 2 MiB: batches of thousands of users keep sink writes fast, and the batch
    /// being written plus the one prefetched keep the processor within its 64 MiB budget (with
    /// 4 MiB its peak reached 69 MiB against a broker that answers at full speed). A broker
    /// may hold a fetch for its whole wait even once records arrived (Tansu does), so the wait
    /// bounds how late a user is stored: 25 ms costs an idle stream about 40 small fetches a second.
    /// A broker too slow to read within it gets the longer `maxWaitWhenBehind` (FetchRounds).
    public static let fetchSizes = ConsumerSettings(maxWait: .milliseconds(25), maxBytes: 2 << 20, partitionMaxBytes: 512 << 10)

    /// Opens the sink, connects the consumer and the dead-letter producer; `run` joins the group,
    /// waiting for its first assignment at most `assignmentWait` (a caller that stops when idle
    /// counts waiting for the group as idle). `session` also sets how long Tansu holds the first join.
    /// The sink's table is checked, then `beforeJoining` runs (the dead-letter topic's check), before the group is joined.
    public static func start(kafka: KafkaConfiguration, target: StreamTarget, sink: SinkLocation, metrics: PipelineMetrics = PipelineMetrics(),
                             session: (timeout: Duration, heartbeat: Duration) = (.seconds(6), .seconds(1)),
                             offsetReset: OffsetResetPolicy = .earliest, assignmentWait: Duration? = nil,
                             beforeJoining: () async throws -> Void = {}) async throws -> StreamRunner {
        let store = try await sink.open(logger: Logger(label: "userstream.sink"))
        do {
            let logger = Logger(label: "userstream.stream")
            try await beforeJoining()
            let deadLetters = try await KafkaProducer(configuration: kafka)
            var settings = Self.fetchSizes
            settings.offsetReset = offsetReset
            let consumer = try await KafkaConsumer(
                configuration: kafka, group: ConsumerGroupSettings(
                    groupID: target.group, sessionTimeout: session.timeout, heartbeatInterval: session.heartbeat), settings: settings)
            let processor = StreamProcessor(
                sink: store, deadLetters: deadLetters, dlqTopic: target.deadLetterTopic, metrics: metrics,
                logger: logger, commit: { try await consumer.commit($0) })
            consumer.observeOffsetResets { processor.offsetReset($0) }
            let listener = RebalanceListener(revoked: { await processor.partitionsRevoked($0) },
                                             assigned: { await processor.partitionsAssigned($0) })
            return StreamRunner(processor: processor, consumer: consumer, topic: target.topic, listener: listener, assignmentWait: assignmentWait,
                                deadLetters: deadLetters, store: store)
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// The partition furthest behind its log's end, for progress lines (" worst_lag=N (partition P)"); empty before a fetch.
    public var worstLag: String {
        consumer.worstLag.map { " worst_lag=\($0.lag) (partition \($0.partition.partition))" } ?? ""
    }

    /// Joins the group, then processes records until `idleTimeout` passes without one, or until
    /// the service group shuts down; the dead-letter producer runs meanwhile and delivers what
    /// the last batch dead-lettered, then the consumer commits the revoked partitions' progress
    /// and leaves the group, before this returns. Cancelled, it stops at once (after the batch
    /// being written). Throws `CancellationError` when the group shut down during the join.
    public func run(idleTimeout: Duration?) async throws -> StreamSummary {
        try await whileRunning(consumer) {
            try await whileRunning(deadLetters) {
                // Only the join and the loop are cancelled on shutdown: the consumer and the
                // producer must outlive the batch the loop finishes.
                try await cancelWhenGracefulShutdown {
                    let joined = try await self.consumer.subscribe(to: [self.topic], listener: self.listener,
                                                                   waitingAtMost: self.assignmentWait)
                    // Without an assignment the idle time was spent waiting for the group: end at once.
                    return try await self.processor.run(self.consumer.batches(idleTimeout: joined ? idleTimeout : .zero))
                }
            }
        }
    }

    /// Processes records until the service group shuts down.
    public func run() async throws {
        do {
            _ = try await run(idleTimeout: nil)
        } catch is CancellationError {}  // stopped while joining: nothing was processed
    }

    /// Closes the sink and the connections of a consumer or producer that never ran.
    public func close() async {
        await consumer.cluster.shutdown()
        await deadLetters.cluster.shutdown()
        try? await store.close()
    }
}
