/// Hands out the stream ids of one connection. Ids go back to the pool only when their response
/// arrives (or the connection closes), so a late reply can never be matched to a new request.
struct CQLStreamIDs: Sendable {
    /// Protocol v3 and later allow 32768 streams per connection.
    static let protocolMaximum = 32768

    private let limit: Int
    private var free: [Int16]
    private var nextUnused: Int = 0

    /// `limit` caps how many ids this connection uses (at most 32768).
    init(limit: Int = CQLStreamIDs.protocolMaximum) {
        precondition(limit > 0 && limit <= Self.protocolMaximum, "stream id limit must be 1...32768")
        self.limit = limit
        self.free = []
    }

    /// How many ids are taken.
    private(set) var inUse = 0

    /// Takes a free id, or nil when all are in use.
    mutating func reserve() -> Int16? {
        if let id = free.popLast() {
            inUse += 1
            return id
        }
        guard nextUnused < limit else { return nil }
        defer { nextUnused += 1 }
        inUse += 1
        return Int16(nextUnused)
    }

    /// Returns an id to the pool.
    mutating func release(_ id: Int16) {
        free.append(id)
        inUse -= 1
    }
}
