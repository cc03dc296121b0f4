import Dispatch
import Foundation
import Synchronization

/// SIGTERM and SIGINT as an event: the first asks the work to stop cleanly (drain, commit,
/// leave the group); a second one, or the end of `grace`, ends the process at once with
/// 128 + the signal's number, after `onGraceExpired` said what was left undone.
final class TerminationSignals {
    private let sources: [any DispatchSourceSignal]
    private let receivedSignal = FirstSignal()

    /// The signal that asked to stop, if one did.
    var received: Int32? { receivedSignal.number }

    /// The exit code of a command stopped by `received`: 130 after Ctrl-C, 143 after SIGTERM.
    var exitCode: Int32? { received.map { 128 + $0 } }

    init(grace: Duration? = nil, onGraceExpired: @escaping @Sendable () -> Void = {}, _ onSignal: @escaping @Sendable () -> Void) {
        let receivedSignal = receivedSignal
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                guard receivedSignal.record(number) else { exit(128 + number) }
                printError("userstream: stopping (finishing the work in progress; signal again to quit at once)")
                onSignal()
                if let grace {
                    // Work that cannot finish (a locked sink, an unreachable broker) must not hold the process.
                    let (seconds, attoseconds) = grace.components
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))) {
                        onGraceExpired()
                        exit(128 + number)
                    }
                }
            }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}

/// The first signal received, recorded from any thread.
private final class FirstSignal: Sendable {
    private let first = Mutex<Int32?>(nil)

    var number: Int32? { first.withLock { $0 } }

    /// Records `number`; `true` if it is the first signal.
    func record(_ number: Int32) -> Bool {
        first.withLock { first in
            defer { first = first ?? number }
            return first == nil
        }
    }
}
