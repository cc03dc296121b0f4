/// How a record batch's records are compressed: attribute bits 0-2 of the batch.
public enum CompressionCodec: Int16, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case none = 0
    case gzip = 1
    case snappy = 2
    case lz4 = 3
    case zstd = 4

    /// The codec's name as Kafka's `compression.type` setting spells it.
    public var description: String {
        switch self {
        case .none: "none"
        case .gzip: "gzip"
        case .snappy: "snappy"
        case .lz4: "lz4"
        case .zstd: "zstd"
        }
    }

    /// Parses a `compression.type` value such as "zstd"; nil for unknown names.
    public init?(name: String) {
        guard let codec = Self.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = codec
    }
}
