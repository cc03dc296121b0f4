import ArgumentParser
import Foundation
import UserPipeline

/// `userstream serve-api`: the randomuser-compatible stand-in API.
struct ServeAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-api",
        abstract: "Serve a randomuser.me-compatible API: deterministic users per seed, with fault injection for tests."
    )

    @Option(help: "Address to listen on (env USERSTREAM_API_HOST).")
    var host: String = Self.environment("USERSTREAM_API_HOST") ?? "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one and prints it (env USERSTREAM_API_PORT).")
    var port: Int = Self.environment("USERSTREAM_API_PORT").flatMap(Int.init) ?? 8080

    @Option(help: "Fraction of requests answered 500 (env USERSTREAM_API_ERROR_RATE).")
    var errorRate: Double = Self.environment("USERSTREAM_API_ERROR_RATE").flatMap(Double.init) ?? 0

    @Option(help: "Fraction of requests answered 429 with Retry-After (env USERSTREAM_API_RATE_LIMIT_RATE).")
    var rateLimitRate: Double = Self.environment("USERSTREAM_API_RATE_LIMIT_RATE").flatMap(Double.init) ?? 0

    @Option(help: "Fraction of responses cut off mid-JSON (env USERSTREAM_API_TRUNCATE_RATE).")
    var truncateRate: Double = Self.environment("USERSTREAM_API_TRUNCATE_RATE").flatMap(Double.init) ?? 0

    @Option(help: "Milliseconds added before every response (env USERSTREAM_API_LATENCY_MS).")
    var latencyMs: Int = Self.environment("USERSTREAM_API_LATENCY_MS").flatMap(Int.init) ?? 0

    @Option(help: "Seconds sent in Retry-After with 429 responses (env USERSTREAM_API_RETRY_AFTER).")
    var retryAfter: Int = Self.environment("USERSTREAM_API_RETRY_AFTER").flatMap(Int.init) ?? 1

    func validate() throws {
        for (name, rate) in [("--error-rate", errorRate), ("--rate-limit-rate", rateLimitRate), ("--truncate-rate", truncateRate)] {
            guard (0...1).contains(rate) else { throw ValidationError("\(name) must be a fraction between 0 and 1, got \(rate)") }
        }
        guard errorRate + rateLimitRate <= 1 else {
            throw ValidationError("--error-rate plus --rate-limit-rate must not exceed 1 (got \(errorRate + rateLimitRate))")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535, got \(port)") }
        guard latencyMs >= 0, retryAfter >= 0 else { throw ValidationError("--latency-ms and --retry-after must not be negative") }
    }

    func run() async throws {
        let faults = FaultInjection(
            errorRate: errorRate, rateLimitRate: rateLimitRate, truncateRate: truncateRate,
            latency: .milliseconds(latencyMs), retryAfterSeconds: retryAfter)
        let api = StandInUserAPI(configuration: .init(host: host, port: port, faults: faults))
        do {
            try await api.serve { url in
                // Written unbuffered: scripts and tests read this line through a pipe.
                FileHandle.standardOutput.write(Data("serving randomuser-compatible API on \(url)\n".utf8))
            }
        } catch {
            throw ValidationError("cannot serve on \(host):\(port): \(error) — is the port in use? try --port 0")
        }
        print("stand-in API stopped: \(api.statistics.snapshot)")
    }

    private static func environment(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}
