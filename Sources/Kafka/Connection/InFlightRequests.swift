/// Requests sent on one connection and not yet answered, matched to responses by correlation id.
/// Pure state: the channel handler feeds it events and performs the actions it returns.
struct InFlightRequests<Pending> {
    private var nextCorrelationID: Int32 = 1
    private var pending: [Int32: Pending] = [:]
    private(set) var isClosed = false

    enum ResponseAction {
        /// Complete this request with the frame.
        case deliver(Pending)
        /// A response nobody asked for (e.g. it arrived after its timeout): drop it.
        case ignore
    }

    var count: Int { pending.count }

    /// Assigns the next correlation id; nil after the connection closed.
    mutating func register(expectingResponse: Bool, _ makePending: (Int32) -> Pending) -> (Int32, Pending)? {
        guard !isClosed else { return nil }
        let id = nextCorrelationID
        nextCorrelationID = nextCorrelationID == .max ? 1 : nextCorrelationID + 1
        let value = makePending(id)
        if expectingResponse { pending[id] = value }
        return (id, value)
    }

    /// A response frame with `correlationID` arrived.
    mutating func responseReceived(correlationID: Int32) -> ResponseAction {
        guard let value = pending.removeValue(forKey: correlationID) else { return .ignore }
        return .deliver(value)
    }

    /// The request timed out: remove it so a late response is ignored; nil if already answered.
    mutating func timedOut(correlationID: Int32) -> Pending? {
        pending.removeValue(forKey: correlationID)
    }

    /// Attaches data to a pending request (its timeout timer).
    mutating func update(_ correlationID: Int32, _ change: (inout Pending) -> Void) {
        guard var value = pending[correlationID] else { return }
        change(&value)
        pending[correlationID] = value
    }

    /// The connection closed: every pending request fails, and no new one is accepted.
    mutating func close() -> [Pending] {
        isClosed = true
        let all = pending.sorted { $0.key < $1.key }.map(\.value)
        pending.removeAll()
        return all
    }
}
