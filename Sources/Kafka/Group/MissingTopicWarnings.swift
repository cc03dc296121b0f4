/// When to warn that a subscribed topic does not exist: at once, then every `interval` while it
/// is still missing, so a member waiting for its topic is never silent for long nor noisy.
struct MissingTopicWarnings: Sendable {
    let interval: Duration
    private var lastWarned: [String: ContinuousClock.Instant] = [:]

    init(interval: Duration = .seconds(30)) {
        self.interval = interval
    }

    /// The topics to warn about now, given the ones missing at `now`.
    mutating func due(missing: Set<String>, now: ContinuousClock.Instant) -> Set<String> {
        lastWarned = lastWarned.filter { missing.contains($0.key) }  // a topic that appeared starts over
        let due = missing.filter { topic in lastWarned[topic].map { now - $0 >= interval } ?? true }
        for topic in due { lastWarned[topic] = now }
        return due
    }
}
