import ArgumentParser
import StatusService

/// `--http ADDR:PORT`: serve `/metrics`, `/healthz`, `/status.json` and the status page.
struct HTTPOptions: ParsableArguments {
    @Option(name: .customLong("http"), help: ArgumentHelp(
        "Serve /metrics, /healthz, /status.json and the status page on HOST:PORT; loopback when only PORT is given; port 0 picks one (env USERSTREAM_HTTP).",
        valueName: "addr:port"))
    private var httpOption: String?
    var http: String? { httpOption ?? Environment.string("USERSTREAM_HTTP") }

    @Option(name: .customLong("status-interval"), help: "Seconds between status refreshes for the page and the lag gauges; default 5 (env USERSTREAM_STATUS_INTERVAL).")
    private var statusIntervalOption: Double?
    var statusInterval: Double {
        get throws { try NumberSetting.seconds("--status-interval", variable: "USERSTREAM_STATUS_INTERVAL").resolve(statusIntervalOption, default: 5) }
    }

    func validate() throws {
        if let http { _ = try address(http) }
        _ = try statusInterval
    }

    /// The address to serve on, if asked to.
    func address() throws -> HTTPAddress? {
        try http.map(address)
    }

    private func address(_ text: String) throws -> HTTPAddress {
        do { return try HTTPAddress(parsing: text) } catch { throw ValidationError("--http: \(error)") }
    }
}
