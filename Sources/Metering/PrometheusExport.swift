import Metrics
import Prometheus

/// The Prometheus side of the metrics: a registry, the swift-metrics factory writing into it
/// with bucket layouts that fit the pipeline's histograms, and the text `/metrics` serves.
public struct PrometheusExport: Sendable {
    public let registry: PrometheusCollectorRegistry

    /// An export into `registry`.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// Bootstraps swift-metrics with a new export; call once per process, before any `PipelineMetrics()`.
    public static func bootstrap() -> PrometheusExport {
        let export = PrometheusExport()
        MetricsSystem.bootstrap(export.factory)
        return export
    }

    /// A metrics factory writing into the registry, with the pipeline's histogram buckets.
    public var factory: PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets[PipelineMetrics.Name.batchSize] = [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000]
        // Record timestamp → stored spans produce-to-consume delays: milliseconds to minutes.
        factory.durationHistogramBuckets[PipelineMetrics.Name.endToEndLatency] =
            [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
             .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300)]
        factory.durationHistogramBuckets[PipelineMetrics.Name.sinkWrite] =
            [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
             .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]
        return factory
    }

    /// Every metric in the Prometheus text format.
    public func text() -> [UInt8] {
        registry.emitToBuffer()
    }
}
