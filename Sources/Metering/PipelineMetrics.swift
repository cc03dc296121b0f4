import Metrics
import Foundation
import Synchronization

/// The pipeline's metrics, through swift-metrics under stable Prometheus names. Made with the
/// process's factory by default (a no-op until the CLI bootstraps the Prometheus exporter).
public final class PipelineMetrics: Sendable {
    /// The Prometheus names, stable for dashboards and alerts.
    public enum Name {
        public static let usersFetched = "userstream_users_fetched_total"
        public static let usersPublished = "userstream_users_published_total"
        public static let usersFailed = "userstream_users_failed_total"
        public static let apiRetries = "userstream_api_retries_total"
        public static let recordsConsumed = "userstream_records_consumed_total"
        public static let usersStored = "userstream_users_stored_total"
        public static let recordsDeadLettered = "userstream_records_dead_lettered_total"
        public static let sinkWriteRetries = "userstream_sink_write_retries_total"
        public static let offsetResets = "userstream_offset_resets_total"
        public static let offsetResetRecords = "userstream_offset_reset_records_total"
        public static let batchSize = "userstream_batch_size"
        public static let endToEndLatency = "userstream_end_to_end_latency_seconds"
        public static let sinkWrite = "userstream_sink_write_seconds"
        public static let consumerLag = "userstream_consumer_lag"
        public static let lastWrite = "userstream_last_write_timestamp_seconds"
    }

    // Ingest (`produce`).
    package let usersFetched: Counter
    package let usersPublished: Counter
    package let usersFailed: Counter
    package let apiRetries: Counter
    // Stream (`stream`).
    package let recordsConsumed: Counter
    let usersStored: Counter
    package let sinkWriteRetries: Counter
    package let batchSize: Recorder
    let endToEndLatency: Timer
    let sinkWrite: Timer
    private let lastWriteGauge: Gauge
    private let factory: any MetricsFactory
    private let lastWriteMilliseconds = Atomic<Int64>(0)

    /// The metrics, made by `factory` (default: the one `MetricsSystem` was bootstrapped with).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        usersFetched = Counter(label: Name.usersFetched, factory: factory)
        usersPublished = Counter(label: Name.usersPublished, factory: factory)
        usersFailed = Counter(label: Name.usersFailed, factory: factory)
        apiRetries = Counter(label: Name.apiRetries, factory: factory)
        recordsConsumed = Counter(label: Name.recordsConsumed, factory: factory)
        usersStored = Counter(label: Name.usersStored, factory: factory)
        sinkWriteRetries = Counter(label: Name.sinkWriteRetries, factory: factory)
        batchSize = Recorder(label: Name.batchSize, aggregate: true, factory: factory)
        endToEndLatency = Timer(label: Name.endToEndLatency, factory: factory)
        sinkWrite = Timer(label: Name.sinkWrite, factory: factory)
        lastWriteGauge = Gauge(label: Name.lastWrite, factory: factory)
    }

    /// Counts records sent to the dead-letter topic, labelled by the rejection's stable code.
    package func deadLettered(_ count: Int, reason: String) {
        // The registry hands back the same counter for the same name and labels.
        Counter(label: Name.recordsDeadLettered, dimensions: [("reason", reason)], factory: factory).increment(by: count)
    }

    /// Counts one partition moved because its position was outside the log, and the records it
    /// jumped over (`kind="skipped"`) or reads again (`kind="read_again"`).
    package func offsetReset(skipped: Int64, readAgain: Int64) {
        Counter(label: Name.offsetResets, factory: factory).increment()
        for (kind, count) in [("skipped", skipped), ("read_again", readAgain)] {
            Counter(label: Name.offsetResetRecords, dimensions: [("kind", kind)], factory: factory).increment(by: Int(count))
        }
    }

    /// Sets the lag gauge of one partition.
    public func consumerLag(topic: String, partition: Int32, _ lag: Int64) {
        Gauge(label: Name.consumerLag, dimensions: [("topic", topic), ("partition", String(partition))], factory: factory)
            .record(Double(lag))
    }

    /// Records one successful sink write of `users` that took `duration`, ending now.
    package func stored(_ users: Int, took duration: Duration) {
        usersStored.increment(by: users)
        sinkWrite.record(duration: duration)
        let milliseconds = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        lastWriteMilliseconds.store(milliseconds, ordering: .relaxed)
        lastWriteGauge.record(Double(milliseconds) / 1000)
    }

    /// When this process last wrote users to the sink, if it has.
    public var lastWrite: Date? {
        let milliseconds = lastWriteMilliseconds.load(ordering: .relaxed)
        return milliseconds == 0 ? nil : Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}

extension PipelineMetrics {
    /// Records, for each stored record, the time from its Kafka timestamp (milliseconds since
    /// the epoch) to now. Clocks of other hosts can be behind: negative spans count as zero.
    package func recordEndToEndLatency(recordTimestamps: [Int64]) {
        let nowMilliseconds = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        for timestamp in recordTimestamps where timestamp > 0 {
            endToEndLatency.recordMilliseconds(max(0, nowMilliseconds - timestamp))
        }
    }
}
