/// The nodes a session knows and which ones look alive, as a value: round-robin query plans
/// over live nodes, and capped exponential backoff before trying a node that failed again.
struct CQLNodeRing: Sendable {
    struct Node: Sendable, Hashable {
        var host: String
        var port: Int
        var label: String { "\(host):\(port)" }
    }

    private struct Health: Sendable {
        var failures = 0
        var retryAt: ContinuousClock.Instant?
    }

    private(set) var nodes: [Node] = []
    private var health: [Node: Health] = [:]
    private var cursor = 0
    let baseDelay: Duration
    let maximumDelay: Duration

    init(nodes: [Node], baseDelay: Duration, maximumDelay: Duration) {
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        for node in nodes { add(node) }
    }

    /// Adds a node (e.g. a peer found in system.peers) unless already known.
    mutating func add(_ node: Node) {
        guard health[node] == nil else { return }
        nodes.append(node)
        health[node] = Health()
    }

    /// The order to try nodes for one request: live nodes round-robin, then down nodes whose
    /// backoff has passed; down nodes still backing off come last so a request never has nowhere to go.
    mutating func queryPlan(now: ContinuousClock.Instant) -> [Node] {
        guard !nodes.isEmpty else { return [] }
        let start = cursor % nodes.count
        cursor = (cursor + 1) % nodes.count
        let rotated = Array(nodes[start...] + nodes[..<start])
        let up = rotated.filter { health[$0]?.failures == 0 }
        let due = rotated.filter { node in
            guard let entry = health[node], entry.failures > 0 else { return false }
            return entry.retryAt.map { $0 <= now } ?? true
        }
        let waiting = rotated.filter { !up.contains($0) && !due.contains($0) }
        return up + due + waiting
    }

    /// Whether a node is in backoff at `now`.
    func isBackingOff(_ node: Node, now: ContinuousClock.Instant) -> Bool {
        guard let entry = health[node], entry.failures > 0, let retryAt = entry.retryAt else { return false }
        return retryAt > now
    }

    /// Records a failure and schedules the next attempt: base × 2^(failures−1), at most the maximum.
    mutating func markDown(_ node: Node, now: ContinuousClock.Instant) {
        var entry = health[node] ?? Health()
        entry.failures += 1
        entry.retryAt = now + backoff(failures: entry.failures)
        health[node] = entry
    }

    /// Records a success.
    mutating func markUp(_ node: Node) {
        health[node] = Health()
    }

    func backoff(failures: Int) -> Duration {
        var delay = baseDelay
        for _ in 1..<max(1, failures) {
            delay *= 2
            if delay >= maximumDelay { return maximumDelay }
        }
        return min(delay, maximumDelay)
    }
}
