import ArgumentParser
import Foundation
import ServiceLifecycle
import StandInAPI

/// `userstream serve-api`: the randomuser-compatible stand-in API.
struct ServeAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-api",
        abstract: "Serve a randomuser.me-compatible API: deterministic users per seed, with fault injection for tests."
    )

    @Option(name: .customLong("host"), help: "Address to listen on; default 127.0.0.1 (env USERSTREAM_API_HOST).")
    private var hostOption: String?
    var host: String { hostOption ?? Environment.string("USERSTREAM_API_HOST") ?? "127.0.0.1" }

    @Option(name: .customLong("port"), help: "Port to listen on; 0 picks a free one and prints it; default 8080 (env USERSTREAM_API_PORT).")
    private var portOption: Int?
    var port: Int { get throws { try Self.port.resolve(portOption, default: 8080) } }

    @Option(name: .customLong("error-rate"), help: "Fraction of requests answered 500 (env USERSTREAM_API_ERROR_RATE).")
    private var errorRateOption: Double?
    var errorRate: Double { get throws { try Self.fraction("--error-rate", "USERSTREAM_API_ERROR_RATE").resolve(errorRateOption, default: 0) } }

    @Option(name: .customLong("rate-limit-rate"), help: "Fraction of requests answered 429 with Retry-After (env USERSTREAM_API_RATE_LIMIT_RATE).")
    private var rateLimitRateOption: Double?
    var rateLimitRate: Double {
        get throws { try Self.fraction("--rate-limit-rate", "USERSTREAM_API_RATE_LIMIT_RATE").resolve(rateLimitRateOption, default: 0) }
    }

    @Option(name: .customLong("truncate-rate"), help: "Fraction of responses cut off mid-JSON (env USERSTREAM_API_TRUNCATE_RATE).")
    private var truncateRateOption: Double?
    var truncateRate: Double {
        get throws { try Self.fraction("--truncate-rate", "USERSTREAM_API_TRUNCATE_RATE").resolve(truncateRateOption, default: 0) }
    }

    @Option(name: .customLong("latency-ms"), help: "Milliseconds added before every response (env USERSTREAM_API_LATENCY_MS).")
    private var latencyMsOption: Int?
    var latencyMs: Int {
        get throws { try NumberSetting.count("--latency-ms", variable: "USERSTREAM_API_LATENCY_MS", from: 0, to: 3_600_000).resolve(latencyMsOption, default: 0) }
    }

    @Option(name: .customLong("retry-after"), help: "Seconds sent in Retry-After with 429 responses; default 1 (env USERSTREAM_API_RETRY_AFTER).")
    private var retryAfterOption: Int?
    var retryAfter: Int {
        get throws { try NumberSetting.count("--retry-after", variable: "USERSTREAM_API_RETRY_AFTER", from: 0, to: 86_400).resolve(retryAfterOption, default: 1) }
    }

    @Option(name: .customLong("outage-requests"),
            help: "Answer the first N requests as randomuser.me does while it is down: status 200 and its {\"error\": …} body (env USERSTREAM_API_OUTAGE_REQUESTS).")
    private var outageRequestsOption: Int?
    var outageRequests: Int {
        get throws {
            try NumberSetting.count("--outage-requests", variable: "USERSTREAM_API_OUTAGE_REQUESTS", from: 0).resolve(outageRequestsOption, default: 0)
        }
    }

    private static let port = Settings.port.named("--port").withVariable("USERSTREAM_API_PORT")

    private static func fraction(_ flag: String, _ variable: String) -> NumberSetting<Double> {
        NumberSetting(flag, variable: variable, bounds: 0...1, expected: "a fraction between 0 and 1")
    }

    func validate() throws {
        _ = try (host, port, truncateRate, latencyMs, retryAfter, outageRequests)
        let (errorRate, rateLimitRate) = (try errorRate, try rateLimitRate)
        guard errorRate + rateLimitRate <= 1 else {
            throw ValidationError("--error-rate plus --rate-limit-rate must not exceed 1 (got \(errorRate + rateLimitRate))")
        }
    }

    func run() async throws {
        let faults = FaultInjection(
            errorRate: try errorRate, rateLimitRate: try rateLimitRate, truncateRate: try truncateRate,
            latency: .milliseconds(try latencyMs), retryAfterSeconds: try retryAfter,
            outageRequests: try outageRequests)
        let port = try port
        let api = StandInUserAPI(configuration: .init(host: host, port: port, faults: faults))
        let server = api.application { url in
            // Written unbuffered: scripts and tests read this line through a pipe.
            FileHandle.standardOutput.write(Data("serving randomuser-compatible API on \(url)\n".utf8))
        }
        do {
            // The server is the whole work: nothing else holds the group open until SIGTERM or Ctrl-C.
            try await CommandLifecycle().run(alongside: [server]) { try? await gracefulShutdown() }.get()
        } catch {
            // Not a usage error: the same command works once the port is free.
            throw HintedError(error: error, hint: "cannot serve on \(host):\(port); is the port in use? try --port 0")
        }
        print("stand-in API stopped: \(api.statistics.snapshot)")
    }
}
