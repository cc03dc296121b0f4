import Foundation

/// Prints a progress line every `interval` while long work runs: rewritten in place on a
/// terminal, plain lines otherwise (logs, pipes, Airflow).
struct Progress: Sendable {
    var interval: Duration = .seconds(1)
    let isTerminal = isatty(STDERR_FILENO) == 1

    /// Runs `work`, reporting `line()` meanwhile from a child task; the last line is left on screen.
    func reporting<T: Sendable>(_ line: @escaping @Sendable () -> String, during work: () async throws -> T) async throws -> T {
        let interval = isTerminal ? interval : max(interval, .seconds(5))
        let terminal = isTerminal
        defer { if terminal { printError("") } }
        return try await withThrowingTaskGroup(of: Void.self) { ticker in
            ticker.addTask {
                while true {
                    try await Task.sleep(for: interval)
                    printError(terminal ? "\r\u{1B}[2K" + line() : line(), newline: !terminal)
                }
            }
            defer { ticker.cancelAll() }
            return try await work()
        }
    }
}
