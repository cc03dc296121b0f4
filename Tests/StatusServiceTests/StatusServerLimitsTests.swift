import Foundation
import ServiceScope
import Testing
@testable import Metering
@testable import StatusService

/// The status server, run for real on a loopback port, keeps within its limits.
@Suite struct StatusServerLimitsTests {
    /// Runs a server with `limits` and hands its port to `body`.
    func withServer(_ limits: StatusServerLimits, _ body: (Int) async throws -> Void) async throws {
        let export = PrometheusExport()
        let offsets = ScriptedOffsets(earliest: ["users": [0: 0], "users.dlq": [0: 0]],
                                      latest: ["users": [0: 1], "users.dlq": [0: 0]], committed: [0: 1])
        let probe = StatusProbe(kafka: offsets, topic: "users", group: "g", dlqTopic: "users.dlq",
                                sink: SinkProbe(location: "sqlite:test.db", open: { CountingSink(rows: 1) }, lastWrite: { nil }))
        let monitor = StatusMonitor(probe: probe, metrics: PipelineMetrics(factory: export.factory))
        let server = StatusServer(address: HTTPAddress(port: 0), monitor: monitor, metrics: export, health: { [] }, limits: limits)
        let (urls, listening) = AsyncStream.makeStream(of: String.self)
        try await whileRunning(server.application { listening.yield($0) }) {
            var iterator = urls.makeAsyncIterator()
            let url = try #require(await iterator.next())
            try await body(try #require(Int(url.split(separator: ":").last!.filter(\.isNumber))))
        }
    }

    /// Descriptors of `count` TCP connections to `port`.
    func connect(_ count: Int, to port: Int) throws -> [Int32] {
        try (0..<count).map { _ in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            try #require(connected == 0)
            return fd
        }
    }

    /// Waits until the server has closed `wanted` of `descriptors`, on a thread of its own: a
    /// blocking wait on the server's threads would starve it.
    func awaitClosed(_ wanted: Int, of descriptors: [Int32]) async -> Int {
        await withCheckedContinuation { done in
            Thread { done.resume(returning: Self.waitForClose(wanted, of: descriptors)) }.start()
        }
    }

    /// Polls until `wanted` of `descriptors` are closed; the minute only ends a failing run.
    static func waitForClose(_ wanted: Int, of descriptors: [Int32]) -> Int {
        var closed = Set<Int32>()
        let deadline = ContinuousClock.now + .seconds(60)
        while closed.count < wanted, ContinuousClock.now < deadline {
            var polls = descriptors.filter { !closed.contains($0) }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&polls, nfds_t(polls.count), 1000) > 0 else { continue }
            for entry in polls where entry.revents != 0 {
                var bytes = [UInt8](repeating: 0, count: 4096)  // an answer to read past, or the end
                if recv(entry.fd, &bytes, bytes.count, 0) <= 0 { closed.insert(entry.fd) }
            }
        }
        return closed.count
    }

    @Test func connectionsBeyondTheLimitAreClosed() async throws {
        var limits = StatusServerLimits()
        limits.maximumConnections = 2
        limits.idleTimeout = .seconds(3600)
        try await withServer(limits) { port in
            let descriptors = try connect(5, to: port)
            defer { descriptors.forEach { _ = close($0) } }
            let request = Array("GET /healthz HTTP/1.1\r\nHost: status\r\n\r\n".utf8)
            for fd in descriptors { #expect(send(fd, request, request.count, 0) == request.count) }
            #expect(await awaitClosed(3, of: descriptors) == 3)
        }
    }

    @Test func anIdleConnectionIsClosed() async throws {
        var limits = StatusServerLimits()
        limits.idleTimeout = .milliseconds(200)
        try await withServer(limits) { port in
            let descriptors = try connect(1, to: port)
            defer { descriptors.forEach { _ = close($0) } }
            #expect(await awaitClosed(1, of: descriptors) == 1)
        }
    }
}
