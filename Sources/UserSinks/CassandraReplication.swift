import Foundation

/// How `setup` replicates a new keyspace: the `replication` map of CREATE KEYSPACE.
public enum CassandraReplication: Sendable, Hashable, CustomStringConvertible {
    /// One replication factor for the whole cluster (single data centre, development).
    case simple(replicationFactor: Int)
    /// A replication factor per data centre (production).
    case networkTopology([String: Int])

    /// Parses `SimpleStrategy:N`, a bare `N`, or `NetworkTopologyStrategy:dc1=3,dc2=2`.
    public init(parsing text: String) throws(SinkConfigurationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let usage = "use SimpleStrategy:N, N, or NetworkTopologyStrategy:DC=N[,DC=N…]"
        if let factor = Int(trimmed) {
            guard factor >= 1 else { throw .invalidReplication(text, "the replication factor must be at least 1") }
            self = .simple(replicationFactor: factor)
            return
        }
        let parts = trimmed.split(separator: ":", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { throw .invalidReplication(text, usage) }
        switch parts[0].lowercased() {
        case "simplestrategy", "simple":
            guard let factor = Int(parts[1]), factor >= 1 else {
                throw .invalidReplication(text, "the replication factor must be a whole number of at least 1")
            }
            self = .simple(replicationFactor: factor)
        case "networktopologystrategy", "networktopology":
            var factors: [String: Int] = [:]
            for entry in parts[1].split(separator: ",") {
                let pair = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, !pair[0].isEmpty, let factor = Int(pair[1]), factor >= 0,
                      pair[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                    throw .invalidReplication(text, "each data centre is DC=N, e.g. NetworkTopologyStrategy:dc1=3")
                }
                factors[pair[0]] = factor
            }
            guard !factors.isEmpty else { throw .invalidReplication(text, "name at least one data centre, e.g. NetworkTopologyStrategy:dc1=3") }
            self = .networkTopology(factors)
        default:
            throw .invalidReplication(text, usage)
        }
    }

    /// The CQL map literal, e.g. `{'class': 'SimpleStrategy', 'replication_factor': 1}`.
    public var cqlMap: String {
        switch self {
        case .simple(let factor):
            "{'class': 'SimpleStrategy', 'replication_factor': \(factor)}"
        case .networkTopology(let factors):
            "{'class': 'NetworkTopologyStrategy'" + factors.sorted { $0.key < $1.key }.map { ", '\($0.key)': \($0.value)" }.joined() + "}"
        }
    }

    public var description: String {
        switch self {
        case .simple(let factor): "SimpleStrategy:\(factor)"
        case .networkTopology(let factors):
            "NetworkTopologyStrategy:" + factors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }
    }
}
