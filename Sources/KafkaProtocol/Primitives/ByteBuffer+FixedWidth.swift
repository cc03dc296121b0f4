import struct Foundation.UUID
import NIOCore

/// Fixed-width Kafka primitives: big-endian integers, float64, bool and uuid.
extension ByteBuffer {
    /// Reads a big-endian integer, throwing instead of returning nil when the buffer is short.
    @inlinable
    public mutating func readKafkaInteger<T: FixedWidthInteger>(as: T.Type = T.self) throws(KafkaDecodingError) -> T {
        guard let value = readInteger(as: T.self) else {
            throw .truncated("expected \(MemoryLayout<T>.size) bytes for \(T.self), \(readableBytes) left")
        }
        return value
    }

    /// Writes an IEEE 754 double, big-endian.
    @inlinable
    public mutating func writeKafkaFloat64(_ value: Double) {
        writeInteger(value.bitPattern)
    }

    /// Reads an IEEE 754 double, big-endian.
    @inlinable
    public mutating func readKafkaFloat64() throws(KafkaDecodingError) -> Double {
        Double(bitPattern: try readKafkaInteger(as: UInt64.self))
    }

    /// Writes a boolean as one byte, 0 or 1.
    @inlinable
    public mutating func writeKafkaBool(_ value: Bool) {
        writeInteger(UInt8(value ? 1 : 0))
    }

    /// Reads a boolean; any non-zero byte is true, as Kafka's own readers treat it.
    @inlinable
    public mutating func readKafkaBool() throws(KafkaDecodingError) -> Bool {
        try readKafkaInteger(as: UInt8.self) != 0
    }

    /// Writes a UUID as its 16 raw bytes.
    @inlinable
    public mutating func writeKafkaUUID(_ value: UUID) {
        let u = value.uuid
        writeBytes([u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7, u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15])
    }

    /// Reads a UUID from 16 raw bytes.
    @inlinable
    public mutating func readKafkaUUID() throws(KafkaDecodingError) -> UUID {
        guard let b = readBytes(length: 16) else {
            throw .truncated("expected 16 bytes for a uuid, \(readableBytes) left")
        }
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                           b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}

extension UUID {
    /// The all-zero UUID, which Kafka uses to mean "no topic id".
    public static let zero = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
}
