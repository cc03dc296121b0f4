import NIOCore

/// Kafka byte blobs (BYTES, COMPACT_BYTES and their nullable forms; "records" fields use
/// the same wire form). Reads return slices of the source buffer, so record batches are
/// never copied.
extension ByteBuffer {
    /// Writes a non-null byte blob with an int32 or compact length.
    @inlinable
    public mutating func writeKafkaBytes(_ value: ByteBuffer, compact: Bool) throws(KafkaEncodingError) {
        if compact {
            try writeKafkaCompactLength(value.readableBytes)
        } else {
            try writeKafkaInt32Length(value.readableBytes)
        }
        writeImmutableBuffer(value)
    }

    /// Writes a byte blob that may be null.
    @inlinable
    public mutating func writeKafkaNullableBytes(_ value: ByteBuffer?, compact: Bool) throws(KafkaEncodingError) {
        if let value {
            try writeKafkaBytes(value, compact: compact)
        } else if compact {
            writeUnsignedVarint(0)
        } else {
            writeInteger(Int32(-1))
        }
    }

    /// Reads a byte blob that may be null, as a slice sharing this buffer's storage.
    @inlinable
    public mutating func readKafkaNullableBytes(compact: Bool) throws(KafkaDecodingError) -> ByteBuffer? {
        guard let length = try readKafkaLength(classicInt16: false, compact: compact, bytesPerItem: 1, what: "bytes") else {
            return nil
        }
        return readSlice(length: length) ?? ByteBuffer()
    }

    /// Reads a byte blob that must not be null.
    @inlinable
    public mutating func readKafkaBytes(compact: Bool) throws(KafkaDecodingError) -> ByteBuffer {
        guard let value = try readKafkaNullableBytes(compact: compact) else {
            throw .malformed("null where non-nullable bytes are required")
        }
        return value
    }
}
