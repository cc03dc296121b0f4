import Synchronization

/// Where a produced record ended up.
public struct RecordMetadata: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    /// The record's offset; -1 when the broker did not say (acks=0, or a duplicate it had already written).
    public var offset: Int64
}

/// Collects the outcome of every record of one `send` call and resumes the caller when the
/// last one is known. One lock per batch run, not per record.
final class DeliveryGroup: Sendable {
    struct State {
        var results: [Result<RecordMetadata, KafkaError>?]
        var remaining: Int
        var continuation: CheckedContinuation<[Result<RecordMetadata, KafkaError>], Never>?
        var finished = false
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count))
    }

    /// Waits until every record has an outcome.
    func wait() async -> [Result<RecordMetadata, KafkaError>] {
        await withCheckedContinuation { continuation in
            let ready: [Result<RecordMetadata, KafkaError>]? = state.withLock { state in
                if state.remaining == 0 { return state.results.map { $0! } }
                state.continuation = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Records `outcome(i)` for each index in `indices`.
    func resolve<Indices: Sequence>(_ indices: Indices, _ outcome: (Int) -> Result<RecordMetadata, KafkaError>) where Indices.Element == Int {
        let resume: (CheckedContinuation<[Result<RecordMetadata, KafkaError>], Never>, [Result<RecordMetadata, KafkaError>])? = state.withLock { state in
            for (n, index) in indices.enumerated() where state.results[index] == nil {
                state.results[index] = outcome(n)
                state.remaining -= 1
            }
            if state.remaining == 0, let continuation = state.continuation, !state.finished {
                state.finished = true
                state.continuation = nil
                return (continuation, state.results.map { $0! })
            }
            return nil
        }
        if let (continuation, results) = resume { continuation.resume(returning: results) }
    }
}

/// Identifies one record of one `send` call inside a batch.
struct DeliveryToken: Sendable {
    let group: DeliveryGroup
    let index: Int

    /// Resolves every record in `tokens`; record `n` of the batch gets `outcome(n)`.
    /// Consecutive tokens of the same group take the lock once.
    static func resolve(_ tokens: [DeliveryToken], _ outcome: (Int) -> Result<RecordMetadata, KafkaError>) {
        var start = 0
        while start < tokens.count {
            let group = tokens[start].group
            var end = start + 1
            while end < tokens.count, tokens[end].group === group { end += 1 }
            let base = start
            group.resolve(tokens[start..<end].lazy.map(\.index)) { n in outcome(base + n) }
            start = end
        }
    }
}
