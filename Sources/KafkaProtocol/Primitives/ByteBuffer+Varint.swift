import NIOCore

/// Variable-length integers as Kafka encodes them: unsigned LEB128 varints for
/// compact lengths and tag numbers, zigzag varints/varlongs inside records.
extension ByteBuffer {
    @inlinable
    public mutating func writeUnsignedVarint(_ value: UInt32) {
        var v = value
        while v & ~0x7F != 0 {
            writeInteger(UInt8(truncatingIfNeeded: (v & 0x7F) | 0x80))
            v >>= 7
        }
        writeInteger(UInt8(truncatingIfNeeded: v))
    }

    @inlinable
    public mutating func writeUnsignedVarlong(_ value: UInt64) {
        var v = value
        while v & ~0x7F != 0 {
            writeInteger(UInt8(truncatingIfNeeded: (v & 0x7F) | 0x80))
            v >>= 7
        }
        writeInteger(UInt8(truncatingIfNeeded: v))
    }

    @inlinable
    public mutating func writeVarint(_ value: Int32) {
        writeUnsignedVarint(UInt32(bitPattern: (value << 1) ^ (value >> 31)))
    }

    @inlinable
    public mutating func writeVarlong(_ value: Int64) {
        writeUnsignedVarlong(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Reads an unsigned varint of at most 5 bytes; nil when the buffer ends first.
    @inlinable
    public mutating func readUnsignedVarint() throws(KafkaDecodingError) -> UInt32? {
        guard let v = try readUnsignedVarlong(maxBytes: 5) else { return nil }
        guard v <= UInt64(UInt32.max) else { throw .malformed("varint overflows 32 bits") }
        return UInt32(v)
    }

    @inlinable
    public mutating func readUnsignedVarlong(maxBytes: Int = 10) throws(KafkaDecodingError) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var index = readerIndex
        for _ in 0..<maxBytes {
            guard let byte = getInteger(at: index, as: UInt8.self) else { return nil }
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                moveReaderIndex(to: index)
                return result
            }
            shift += 7
        }
        throw .malformed("varint longer than \(maxBytes) bytes")
    }

    @inlinable
    public mutating func readVarint() throws(KafkaDecodingError) -> Int32? {
        guard let u = try readUnsignedVarint() else { return nil }
        return Int32(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    @inlinable
    public mutating func readVarlong() throws(KafkaDecodingError) -> Int64? {
        guard let u = try readUnsignedVarlong() else { return nil }
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }
}

/// Bytes that do not follow the Kafka wire format.
public enum KafkaDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The buffer ended before the value did.
    case truncated(String)
    /// The bytes are present but not valid.
    case malformed(String)

    public var description: String {
        switch self {
        case .truncated(let what): "truncated Kafka data: \(what)"
        case .malformed(let what): "malformed Kafka data: \(what)"
        }
    }
}
