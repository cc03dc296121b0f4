/// Chooses partitions for records without a key: stick to one partition until its batch is
/// sent, then move on, so keyless records fill whole batches instead of scattering.
public struct StickyPartitioner: Sendable {
    private var current: [String: Int32] = [:]
    private var generator = SystemRandomNumberGenerator()

    public init() {}

    /// The partition keyless records for `topic` currently go to.
    public mutating func partition(topic: String, partitionCount: Int) -> Int32 {
        if let p = current[topic], Int(p) < partitionCount { return p }
        let p = Int32(Int.random(in: 0..<partitionCount, using: &generator))
        current[topic] = p
        return p
    }

    /// Called when the batch for `partition` was closed: the next keyless record picks another one.
    public mutating func batchCompleted(topic: String, partition: Int32, partitionCount: Int) {
        guard current[topic] == partition else { return }
        if partitionCount <= 1 { return }
        var next = Int32(Int.random(in: 0..<(partitionCount - 1), using: &generator))
        if next >= partition { next += 1 }
        current[topic] = next
    }
}
