/// A native protocol version this client speaks.
public enum CQLProtocolVersion: UInt8, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Version 4: plain frames (Cassandra 2.2 and later).
    case v4 = 4
    /// Version 5: frames become envelopes inside checksummed segments (Cassandra 4.0 and later).
    case v5 = 5

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "v\(rawValue)" }

    /// Whether QUERY/EXECUTE/BATCH flags are an [int] (v5) rather than a [byte] (v4).
    var usesIntQueryFlags: Bool { self >= .v5 }
    /// Whether PREPARE carries flags and Prepared results carry a result metadata id.
    var usesPreparedMetadataID: Bool { self >= .v5 }
    /// Whether messages after the handshake travel in segments (section 2 of the v5 spec).
    var usesSegments: Bool { self >= .v5 }
}
