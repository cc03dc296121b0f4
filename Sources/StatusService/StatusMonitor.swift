import Foundation
import Synchronization
import Metering

/// Takes the status every `interval` and keeps the latest one, the history the charts draw,
/// and the lag gauges; what `/status.json`, `/healthz` and `/metrics` serve.
public final class StatusMonitor: Sendable {
    /// What the monitor knows after its latest refresh.
    public struct Report: Sendable, Encodable {
        /// The latest status, if any refresh succeeded.
        public var status: PipelineStatus?
        /// Why the latest refresh failed (the broker could not be asked); nil after a success.
        public var error: String?
        /// Samples of the last minutes, oldest first.
        public var history: [StatusSample]

        public func encode(to encoder: any Encoder) throws {
            // The status's own fields at the top level, so `/status.json` reads like `status --json`.
            try status?.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encodeIfPresent(error, forKey: .error)
            try container.encode(history, forKey: .history)
        }

        private enum Keys: String, CodingKey { case error, history }
    }

    public let interval: Duration
    private let probe: StatusProbe
    private let metrics: PipelineMetrics
    private let state: Mutex<(report: Report, history: StatusHistory)>

    /// A monitor sampling `probe` every `interval`, keeping `window` of history, setting `metrics`' lag gauges.
    public init(probe: StatusProbe, interval: Duration = .seconds(5), window: Duration = .seconds(600), metrics: PipelineMetrics) {
        self.probe = probe
        self.interval = interval
        self.metrics = metrics
        state = Mutex((Report(status: nil, error: nil, history: []), StatusHistory(window: window)))
    }

    /// The latest report.
    public var report: Report { state.withLock { $0.report } }

    /// Takes the status once; throws what the broker said when it could not be asked.
    @discardableResult
    public func refresh() async throws -> PipelineStatus {
        do {
            let status = try await probe.status()
            for partition in status.partitions {
                metrics.consumerLag(topic: status.topic, partition: partition.partition, partition.lag)
            }
            state.withLock { state in
                state.history.append(StatusSample(status))
                state.report = Report(status: status, error: nil, history: state.history.samples)
            }
            return status
        } catch {
            state.withLock { $0.report.error = "\(error)" }
            throw error
        }
    }

    /// Refreshes every `interval` until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            _ = try? await refresh()
            try? await Task.sleep(for: interval)
        }
    }

    /// What is wrong with the broker or the sink as of the latest refresh; empty when both answered.
    public var problems: [String] {
        let report = report
        if let error = report.error { return ["broker: \(error)"] }
        guard let status = report.status else { return ["no status taken yet"] }
        if let error = status.sink.error { return ["sink: \(error)"] }
        return []
    }
}
