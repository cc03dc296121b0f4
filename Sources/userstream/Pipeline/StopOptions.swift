import ArgumentParser

/// How long a command may take to stop after SIGTERM or Ctrl-C.
struct StopOptions: ParsableArguments {
    @Option(name: .customLong("stop-timeout"), help: "Seconds to finish the work in progress after SIGTERM or Ctrl-C before exiting anyway; default 30 (env USERSTREAM_STOP_TIMEOUT).")
    private var stopTimeoutOption: Double?
    var stopTimeout: Duration {
        get throws { Duration(seconds: try NumberSetting.seconds("--stop-timeout", variable: "USERSTREAM_STOP_TIMEOUT").resolve(stopTimeoutOption, default: 30)) }
    }

    func validate() throws {
        _ = try stopTimeout
    }
}
