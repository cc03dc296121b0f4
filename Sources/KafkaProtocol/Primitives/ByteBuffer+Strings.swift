import NIOCore

/// Kafka strings: UTF-8 with an int16 length (STRING, NULLABLE_STRING) or a varint
/// length + 1 (COMPACT_STRING, COMPACT_NULLABLE_STRING).
extension ByteBuffer {
    /// Writes a non-null string in the classic or compact form.
    @inlinable
    public mutating func writeKafkaString(_ value: String, compact: Bool) throws(KafkaEncodingError) {
        let length = value.utf8.count
        if compact {
            try writeKafkaCompactLength(length)
        } else {
            guard length <= Int(Int16.max) else { throw .stringTooLong(byteCount: length) }
            writeInteger(Int16(length))
        }
        writeString(value)
    }

    /// Writes a string that may be null.
    @inlinable
    public mutating func writeKafkaNullableString(_ value: String?, compact: Bool) throws(KafkaEncodingError) {
        if let value {
            try writeKafkaString(value, compact: compact)
        } else if compact {
            writeUnsignedVarint(0)
        } else {
            writeInteger(Int16(-1))
        }
    }

    /// Reads a string that may be null.
    @inlinable
    public mutating func readKafkaNullableString(compact: Bool) throws(KafkaDecodingError) -> String? {
        guard let length = try readKafkaLength(classicInt16: true, compact: compact, bytesPerItem: 1, what: "string") else {
            return nil
        }
        // The length was checked against readableBytes, so this cannot fail.
        return readString(length: length) ?? ""
    }

    /// Reads a string that must not be null.
    @inlinable
    public mutating func readKafkaString(compact: Bool) throws(KafkaDecodingError) -> String {
        guard let value = try readKafkaNullableString(compact: compact) else {
            throw .malformed("null where a non-nullable string is required")
        }
        return value
    }
}
