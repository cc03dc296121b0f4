import Foundation

/// Prints a progress line every `interval` while long work runs: rewritten in place on a
/// terminal, plain lines otherwise (logs, pipes, Airflow).
struct Progress: Sendable {
    var interval: Duration = .seconds(1)
    let isTerminal = isatty(STDERR_FILENO) == 1

    /// Runs `work`, reporting `line()` meanwhile; the last line is left on screen.
    func reporting<T: Sendable>(_ line: @escaping @Sendable () -> String, during work: () async throws -> T) async rethrows -> T {
        let interval = isTerminal ? interval : max(interval, .seconds(5))
        let terminal = isTerminal
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                printError(terminal ? "\r\u{1B}[2K" + line() : line(), newline: !terminal)
            }
        }
        defer {
            ticker.cancel()
            if terminal { printError("") }
        }
        return try await work()
    }
}
