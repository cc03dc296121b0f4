import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// A command's long-running work, run as the last service of one `ServiceGroup` that handles
/// SIGTERM and SIGINT itself: the first starts the group's graceful shutdown, which stops the
/// work so that it can finish the batch in progress, commit and print its summary; the group
/// cancels what is still running once `grace` has passed (`maximumGracefulShutdownDuration`).
/// Then, or on a second signal, the process ends at once with 128 + the signal's number, after
/// `onGraceExpired` said what was left.
final class CommandLifecycle: Sendable {
    private let grace: Duration?
    private let signals: StopSignals

    init(grace: Duration? = nil, onGraceExpired: @escaping @Sendable () -> Void = {}) {
        self.grace = grace
        signals = StopSignals(onGraceExpired: onGraceExpired)
    }

    /// The signal that asked to stop, if one did.
    var received: Int32? { signals.first }

    /// The exit code of a command stopped by a signal: 130 after Ctrl-C, 143 after SIGTERM.
    var exitCode: Int32? { received.map { 128 + $0 } }

    /// Runs `work` after `services` until it ends or a signal stops it; the services are then shut
    /// down gracefully, in reverse order. A signal cancels the work, or, when given, runs
    /// `stopping` beside it instead (for work that ends itself cleanly, such as a consumer loop
    /// whose consumer is closed, or work that watches the group's graceful shutdown itself and
    /// passes `{}`). Returns what the work returned or threw.
    func run<T: Sendable>(alongside services: [any Service] = [], stopping: (@Sendable () async -> Void)? = nil,
                          _ work: @escaping @Sendable () async throws -> T) async -> Result<T, any Error> {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let workService = ClosureService {
            do {
                let value = if let stopping {
                    try await Self.run(work, stoppingOnShutdown: stopping)
                } else {
                    try await cancelWhenGracefulShutdown { try await work() }
                }
                outcome.withLock { $0 = .success(value) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
        }
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: signals)] + services.map { .init(service: $0) }
                + [.init(service: workService, successTerminationBehavior: .gracefullyShutdownGroup)],
            // No cancellation signal: the library wants it distinct from these two, and the
            // second SIGTERM or Ctrl-C, which StopSignals hears, ends the process outright.
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: .quiet("userstream.lifecycle", from: .notice))  // the group reports each start and stop at debug level
        configuration.maximumGracefulShutdownDuration = grace
        do {
            try await ServiceGroup(configuration: configuration).run()
        } catch {
            // A service beside the work failed (a server that could not bind, say), which cancelled the work.
            return .failure(error)
        }
        return outcome.withLock { $0 } ?? .failure(CancellationError())
    }

    /// Runs `work` and, once the group shuts down gracefully, `stopping` beside it; returns when the work does.
    private static func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T,
                                         stoppingOnShutdown stopping: @escaping @Sendable () async -> Void) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await gracefulShutdown()
                await stopping()
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }
}

/// Records which signal stopped the command, which the group does not tell (143 or 130 depends
/// on it), says that the command is stopping, and ends the process on a second signal or when
/// the group cancels it after the grace period. Listed first, so it is stopped last and still
/// hears a second signal while the work finishes.
private final class StopSignals: Service {
    private let onGraceExpired: @Sendable () -> Void
    private let received = Mutex<Int32?>(nil)

    init(onGraceExpired: @escaping @Sendable () -> Void) {
        self.onGraceExpired = onGraceExpired
    }

    var first: Int32? { received.withLock { $0 } }

    func run() async {
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        for await signal in signals.cancelOnGracefulShutdown() {
            let number = signal.rawValue
            let isFirst = received.withLock { first in
                defer { first = first ?? number }
                return first == nil
            }
            guard isFirst else { exit(128 + number) }
            printError("userstream: stopping (finishing the work in progress; signal again to quit at once)")
        }
        // Cancelled rather than shut down after a signal: the grace period is over. Work that
        // cannot finish (a locked sink, an unreachable broker) must not hold the process.
        if Task.isCancelled, let number = first {
            onGraceExpired()
            exit(128 + number)
        }
    }
}
