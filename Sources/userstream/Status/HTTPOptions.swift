import ArgumentParser
import UserPipeline

/// `--http ADDR:PORT`: serve `/metrics`, `/healthz`, `/status.json` and the status page.
struct HTTPOptions: ParsableArguments {
    @Option(name: .customLong("http"), help: ArgumentHelp(
        "Serve /metrics, /healthz, /status.json and the status page on HOST:PORT; loopback when only PORT is given; port 0 picks one (env USERSTREAM_HTTP).",
        valueName: "addr:port"))
    private var httpOption: String?
    var http: String? { httpOption ?? Environment.string("USERSTREAM_HTTP") }

    @Option(help: "Seconds between status refreshes for the page and the lag gauges (env USERSTREAM_STATUS_INTERVAL).")
    var statusInterval: Double = Environment.double("USERSTREAM_STATUS_INTERVAL") ?? 5

    func validate() throws {
        if let http { _ = try address(http) }
        guard statusInterval > 0 else { throw ValidationError("--status-interval must be positive, got \(statusInterval)") }
    }

    /// The address to serve on, if asked to.
    func address() throws -> HTTPAddress? {
        try http.map(address)
    }

    private func address(_ text: String) throws -> HTTPAddress {
        do { return try HTTPAddress(parsing: text) } catch { throw ValidationError("--http: \(error)") }
    }
}
