/// Why a record batch could not be encoded or decoded.
public enum RecordBatchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The stored CRC-32C does not match the bytes: the data was corrupted on disk or in transit.
    case checksumMismatch(baseOffset: Int64, stored: UInt32, computed: UInt32)
    /// The batch uses a message format other than v2 (magic 0/1 message sets are not supported).
    case unsupportedMagic(baseOffset: Int64, magic: Int8)
    /// Attribute bits 0-2 name no known codec.
    case unknownCompression(baseOffset: Int64, bits: Int16)
    /// A field of the batch or of one of its records is inconsistent.
    case malformed(baseOffset: Int64, reason: String)
    /// A producer tried to encode a batch with no records; Kafka rejects such batches.
    case emptyBatch
    /// Compressing or decompressing the records failed.
    case compression(CompressionError)

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case let .checksumMismatch(offset, stored, computed):
            "record batch at offset \(offset) is corrupt: stored CRC-32C 0x\(String(stored, radix: 16)) but the bytes give 0x\(String(computed, radix: 16)) — refetch from the broker; if it persists the log segment is damaged"
        case let .unsupportedMagic(offset, magic):
            "record batch at offset \(offset) uses message format v\(magic); only v2 (Kafka 0.11+) is supported — upgrade the topic's message format (log.message.format.version) or the producer"
        case let .unknownCompression(offset, bits):
            "record batch at offset \(offset) names unknown compression type \(bits) — the producer used a codec this client does not know"
        case let .malformed(offset, reason):
            "record batch at offset \(offset) is malformed: \(reason)"
        case .emptyBatch:
            "a record batch needs at least one record — append records before encoding"
        case let .compression(error):
            error.description
        }
    }
}
