import Synchronization

/// How far a reconciliation got, for progress lines while it runs.
public final class ReconciliationProgress: Sendable {
    /// What is being read.
    public enum Phase: String, Sendable {
        case starting, topic, deadLetters = "dead letters", sink, comparing
    }

    private struct State {
        var phase = Phase.starting
        var total = 0
        var records = 0
        var deadLetters = 0
        var rows = 0
    }

    private let state = Mutex(State())

    public init() {}

    func phase(_ phase: Phase, total: Int = 0) {
        state.withLock {
            $0.phase = phase
            $0.total = total
        }
    }

    func add(records: Int = 0, deadLetters: Int = 0, rows: Int = 0) {
        state.withLock {
            $0.records += records
            $0.deadLetters += deadLetters
            $0.rows += rows
        }
    }

    /// `reading topic: 1200/5000 records, 3 dead letters, 0 rows`.
    public var line: String {
        state.withLock { state in
            let of = state.total > 0 && (state.phase == .topic || state.phase == .deadLetters) ? " (of \(state.total) in this topic)" : ""
            return "verify: \(state.phase.rawValue)\(of): \(state.records) records, \(state.deadLetters) dead letters, \(state.rows) rows"
        }
    }
}
