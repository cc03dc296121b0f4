import Kafka
import Logging
import UserSinks
import Metering
import ServiceLifecycle
import StatusService

/// What a pipeline command counts and shows: its metrics, and with `--http` the status
/// endpoint (page, `/metrics`, `/healthz`) watching the topic, the group and the sink.
struct Observability: Sendable {
    /// The metrics to count into; exported only when `--http` is given.
    let metrics: PipelineMetrics
    /// Takes the pipeline's status.
    let probe: StatusProbe
    /// The server and its monitor when `--http` is given.
    let endpoint: StatusEndpoint?
    private let admin: KafkaAdmin

    /// Bootstraps the metrics export when `http` asks for a server; call before anything counts.
    init(http: HTTPOptions, kafka: KafkaConfiguration, topic: String, group: String, dlqTopic: String,
         sink: SinkLocation) throws {
        let address = try http.address()
        let export = address.map { _ in PrometheusExport.bootstrap() }
        let metrics = PipelineMetrics()
        self.metrics = metrics
        admin = KafkaAdmin(configuration: kafka)
        // The probe's sink failures are reported in the status and by /healthz; its retries need no log lines.
        probe = StatusProbe(kafka: admin, topic: topic, group: group, dlqTopic: dlqTopic,
                            sink: sink.probe(logger: .quiet("userstream.status.sink", from: .error), ownLastWrite: { metrics.lastWrite }))
        if let address, let export {
            endpoint = StatusEndpoint(address: address, probe: probe, interval: Duration(seconds: try http.statusInterval),
                                      export: export, metrics: metrics)
        } else {
            endpoint = nil
        }
    }

    /// The command's group runs these beside its work: the status endpoint when there is one.
    var services: [any Service] { endpoint.map { [$0] } ?? [] }

    /// With the status endpoint, keeps the command's work going until the group shuts down (the
    /// command's SIGTERM or SIGINT), so a finished run can still be looked at.
    func holdOpen() async {
        guard let endpoint else { return }
        // The endpoint started with the command, before the broker and the sink were ready:
        // its status shows the finished run at once, not after the next interval.
        _ = try? await endpoint.monitor.refresh()
        printError("userstream: the status page stays up until SIGTERM or Ctrl-C")
        try? await gracefulShutdown()
    }

    /// Closes the status queries' broker connections and sink.
    func close() async {
        await admin.shutdown()
        await probe.close()
    }
}
