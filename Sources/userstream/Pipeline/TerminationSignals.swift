import Dispatch
import Foundation
import Synchronization

/// SIGTERM and SIGINT as an event: the first asks the work to stop cleanly (drain, commit,
/// leave the group); a second one ends the process at once.
final class TerminationSignals {
    private let sources: [any DispatchSourceSignal]

    init(_ onSignal: @escaping @Sendable () -> Void) {
        let received = ManagedAtomicFlag()
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if received.setIfUnset() {
                    printError("userstream: stopping (finishing the batch in progress; signal again to quit at once)")
                    onSignal()
                } else {
                    exit(128 + number)
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

/// A flag set at most once, from any thread.
private final class ManagedAtomicFlag: Sendable {
    private let flag = Mutex(false)

    /// Sets the flag; `true` if it was not set before.
    func setIfUnset() -> Bool {
        flag.withLock { set in
            defer { set = true }
            return !set
        }
    }
}
