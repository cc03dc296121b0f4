import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import Metering
@testable import StatusService

@Suite struct StatusServerTests {
    let export = PrometheusExport()

    func server(health: @escaping StatusServer.HealthCheck = { [] }) async throws -> (StatusServer, StatusMonitor) {
        let offsets = ScriptedOffsets(earliest: ["users": [0: 0, 1: 0], "users.dlq": [0: 0]],
                                      latest: ["users": [0: 6, 1: 4], "users.dlq": [0: 2]], committed: [0: 6, 1: 1])
        let probe = StatusProbe(kafka: offsets, topic: "users", group: "g", dlqTopic: "users.dlq",
                                sink: SinkProbe(location: "sqlite:test.db", open: { CountingSink(rows: 5) }, lastWrite: { nil }))
        let monitor = StatusMonitor(probe: probe, metrics: PipelineMetrics(factory: export.factory))
        try await monitor.refresh()
        try await monitor.refresh()
        return (StatusServer(address: HTTPAddress(port: 0), monitor: monitor, metrics: export, health: health), monitor)
    }

    func application(_ server: StatusServer) -> some ApplicationProtocol {
        Application(router: server.router())
    }

    @Test func statusJSONHoldsTheStatusAndItsHistory() async throws {
        let (server, _) = try await server()
        try await application(server).test(.router) { client in
            try await client.execute(uri: "/status.json", method: .get) { response in
                #expect(response.status == .ok)
                let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                #expect(object["total_lag"] as? Int == 3)
                #expect(object["dlq_size"] as? Int == 2)
                #expect((object["sink"] as? [String: Any])?["rows"] as? Int == 5)
                let history = try #require(object["history"] as? [[String: Any]])
                #expect(history.count == 2)
                #expect(history.last?["total_lag"] as? Int == 3)
                #expect(history.last?["end_offset_total"] as? Int == 10)
                #expect(object["error"] == nil)
            }
        }
    }

    @Test func metricsServeTheCountersAndTheLagGauges() async throws {
        let (server, _) = try await server()
        let metrics = PipelineMetrics(factory: export.factory)
        metrics.usersPublished.increment(by: 12)
        metrics.deadLettered(2, reason: "not_json")
        metrics.stored(4, took: .milliseconds(3))
        metrics.recordEndToEndLatency(recordTimestamps: [1, 2, 3, 4])
        try await application(server).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                let lines = Set(text.split(separator: "\n").map(String.init))
                #expect(lines.contains("userstream_users_published_total 12"))
                #expect(lines.contains(#"userstream_records_dead_lettered_total{reason="not_json"} 2"#))
                #expect(lines.contains("userstream_users_stored_total 4"))
                #expect(lines.contains("userstream_end_to_end_latency_seconds_count 4"))
                #expect(lines.contains("userstream_sink_write_seconds_count 1"))
                #expect(lines.contains(#"userstream_consumer_lag{topic="users",partition="1"} 3.0"#))
                #expect(lines.contains("userstream_users_fetched_total 0"))
            }
        }
    }

    @Test func healthzAnswers503WithTheProblemsTheCheckReports() async throws {
        let (healthy, _) = try await server()
        try await application(healthy).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        let (sick, _) = try await server(health: { ["sink: disk I/O error"] })
        try await application(sick).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("disk I/O error"))
            }
        }
    }

    @Test func monitorReportsAnUnreachableBrokerAsAProblem() async throws {
        let probe = StatusProbe(kafka: ScriptedOffsets(unreachable: true), topic: "users", group: "g", dlqTopic: "users.dlq",
                                sink: SinkProbe(location: "sqlite:x", open: { CountingSink(rows: 0) }, lastWrite: { nil }))
        let monitor = StatusMonitor(probe: probe, metrics: PipelineMetrics(factory: export.factory))
        await #expect(throws: (any Error).self) { try await monitor.refresh() }
        #expect(monitor.problems.first?.hasPrefix("broker:") == true)
        let encoded = try PipelineStatus.encoder.encode(monitor.report)
        let object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        #expect((object["error"] as? String)?.contains("connection refused") == true)
        #expect(object["topic"] == nil)
    }

    @Test func thePageIsSelfContainedAndPollsStatusJSON() async throws {
        let (server, _) = try await server()
        try await application(server).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let html = String(buffer: response.body)
                #expect(html.contains(#"fetch("/status.json""#))
                #expect(html.contains(#"id="throughput-chart""#) && html.contains(#"id="lag-chart""#))
                // No external assets: every src/href stays on the page.
                #expect(!html.contains("src=") && !html.contains("href="))
            }
        }
    }
}
