import Foundation

/// A consistency level, the [consistency] notation of the protocol.
public struct CQLConsistency: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The protocol's [short] code.
    public var rawValue: UInt16

    /// Creates a consistency level from its protocol code.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let any = CQLConsistency(rawValue: 0x0000)
    public static let one = CQLConsistency(rawValue: 0x0001)
    public static let two = CQLConsistency(rawValue: 0x0002)
    public static let three = CQLConsistency(rawValue: 0x0003)
    public static let quorum = CQLConsistency(rawValue: 0x0004)
    public static let all = CQLConsistency(rawValue: 0x0005)
    public static let localQuorum = CQLConsistency(rawValue: 0x0006)
    public static let eachQuorum = CQLConsistency(rawValue: 0x0007)
    public static let serial = CQLConsistency(rawValue: 0x0008)
    public static let localSerial = CQLConsistency(rawValue: 0x0009)
    public static let localOne = CQLConsistency(rawValue: 0x000A)

    /// Every level a client may ask for, in protocol code order.
    public static let allLevels: [CQLConsistency] = (0x0000...0x000A).map { CQLConsistency(rawValue: $0) }

    /// Parses a level by its CQL name ("LOCAL_ONE", "quorum", "local-quorum"); nil for unknown names.
    public init?(name: String) {
        let normalized = name.trimmingCharacters(in: .whitespaces).uppercased().replacingOccurrences(of: "-", with: "_")
        guard let level = Self.allLevels.first(where: { $0.description == normalized }) else { return nil }
        self = level
    }

    public var description: String {
        switch rawValue {
        case 0x0000: "ANY"
        case 0x0001: "ONE"
        case 0x0002: "TWO"
        case 0x0003: "THREE"
        case 0x0004: "QUORUM"
        case 0x0005: "ALL"
        case 0x0006: "LOCAL_QUORUM"
        case 0x0007: "EACH_QUORUM"
        case 0x0008: "SERIAL"
        case 0x0009: "LOCAL_SERIAL"
        case 0x000A: "LOCAL_ONE"
        default: "consistency(0x\(String(rawValue, radix: 16)))"
        }
    }
}
