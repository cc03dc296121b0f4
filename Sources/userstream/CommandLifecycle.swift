import Foundation
import Logging
import Retry
import ServiceLifecycle
import Synchronization
import UnixSignals

/// A command's long-running work, run as services of one `ServiceGroup`. The first SIGTERM or
/// SIGINT starts the group's graceful shutdown, which cancels the work so that it can finish the
/// batch in progress, commit and print its summary; a second signal, or the end of `grace`, ends
/// the process at once with 128 + the signal's number, after `onGraceExpired` said what was left.
final class CommandLifecycle: Sendable {
    private let grace: Duration?
    private let onGraceExpired: @Sendable () -> Void
    private let firstSignal = Mutex<Int32?>(nil)

    init(grace: Duration? = nil, onGraceExpired: @escaping @Sendable () -> Void = {}) {
        self.grace = grace
        self.onGraceExpired = onGraceExpired
    }

    /// The signal that asked to stop, if one did.
    var received: Int32? { firstSignal.withLock { $0 } }

    /// The exit code of a command stopped by a signal: 130 after Ctrl-C, 143 after SIGTERM.
    var exitCode: Int32? { received.map { 128 + $0 } }

    /// Runs `work` beside `services` until it ends or a signal stops it; the other services are
    /// then shut down gracefully, in reverse order. A signal cancels the work, or, when given,
    /// calls `stopping` instead (for work that ends itself cleanly, such as a consumer loop whose
    /// consumer is closed). Returns what the work returned or threw.
    func run<T: Sendable>(alongside services: [any Service] = [], stopping: (@Sendable () -> Void)? = nil,
                          _ work: @escaping @Sendable () async throws -> T) async -> Result<T, any Error> {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let watcher = SignalWatcher(lifecycle: self)
        let workService = ClosureService {
            do {
                let value = if let stopping {
                    try await withGracefulShutdownHandler { try await work() } onGracefulShutdown: { stopping() }
                } else {
                    try await cancelWhenGracefulShutdown { try await work() }
                }
                outcome.withLock { $0 = .success(value) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
        }
        var logger = Logger(label: "userstream.lifecycle")
        logger.logLevel = .notice  // the group reports each start and stop at debug level
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: watcher)] + services.map { .init(service: $0) }
                + [.init(service: workService, successTerminationBehavior: .gracefullyShutdownGroup)],
            logger: logger))
        watcher.group.withLock { $0 = group }
        do {
            try await group.run()
        } catch {
            // Only a service other than the work can fail the group; the work's own outcome comes first.
            return outcome.withLock { $0 } ?? .failure(error)
        }
        return outcome.withLock { $0 } ?? .failure(CancellationError())
    }

    /// Records `number`; `true` if it is the first signal.
    fileprivate func record(_ number: Int32) -> Bool {
        firstSignal.withLock { first in
            defer { first = first ?? number }
            return first == nil
        }
    }

    fileprivate func startGraceTimer(signal number: Int32) {
        guard let grace else { return }
        // Work that cannot finish (a locked sink, an unreachable broker) must not hold the process.
        Thread.detachNewThread { [onGraceExpired] in
            Thread.sleep(forTimeInterval: grace.fractionalSeconds)
            onGraceExpired()
            exit(128 + number)
        }
    }
}

/// Turns SIGTERM and SIGINT into the group's graceful shutdown; listed first, so it is stopped
/// last and still hears a second signal while the work finishes.
private final class SignalWatcher: Service {
    let lifecycle: CommandLifecycle
    let group = Mutex<ServiceGroup?>(nil)

    init(lifecycle: CommandLifecycle) {
        self.lifecycle = lifecycle
    }

    func run() async {
        for number in [SIGTERM, SIGINT] { signal(number, SIG_IGN) }
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        for await signal in signals.cancelOnGracefulShutdown() {
            let number = signal.rawValue
            guard lifecycle.record(number) else { exit(128 + number) }
            printError("userstream: stopping (finishing the work in progress; signal again to quit at once)")
            lifecycle.startGraceTimer(signal: number)
            await group.withLock { $0 }?.triggerGracefulShutdown()
        }
    }
}
