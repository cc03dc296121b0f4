import NIOCore

/// One tagged field: its tag and its already-encoded value.
public struct KafkaTaggedField: Sendable, Equatable {
    /// The field's tag number from the message definition.
    public var tag: UInt32
    /// The field's encoded value (without tag and size).
    public var value: ByteBuffer

    /// Creates a tagged field from its tag and encoded value.
    public init(tag: UInt32, value: ByteBuffer) {
        self.tag = tag
        self.value = value
    }
}

/// Tagged-field sections, which end every structure in flexible versions: a varint count,
/// then for each field a varint tag, a varint size and the value.
extension ByteBuffer {
    /// Writes a tagged-field section. Fields must be in ascending tag order.
    @inlinable
    public mutating func writeKafkaTaggedFields(_ fields: [KafkaTaggedField]) throws(KafkaEncodingError) {
        writeUnsignedVarint(UInt32(fields.count))
        for field in fields {
            writeUnsignedVarint(field.tag)
            guard field.value.readableBytes < Int(UInt32.max) else {
                throw .valueTooLarge("tagged field \(field.tag) of \(field.value.readableBytes) bytes")
            }
            writeUnsignedVarint(UInt32(field.value.readableBytes))
            writeImmutableBuffer(field.value)
        }
    }

    /// Reads the number of fields in a tagged-field section.
    @inlinable
    public mutating func readKafkaTaggedFieldCount() throws(KafkaDecodingError) -> Int {
        guard let count = try readUnsignedVarint() else { throw .truncated("tagged field count") }
        // Every field takes at least two bytes (tag and size).
        guard Int(count) <= readableBytes / 2 else {
            throw .truncated("\(count) tagged fields but only \(readableBytes) bytes left")
        }
        return Int(count)
    }

    /// Reads one tagged field; its value is a slice the caller decodes or ignores.
    @inlinable
    public mutating func readKafkaTaggedField() throws(KafkaDecodingError) -> KafkaTaggedField {
        guard let tag = try readUnsignedVarint() else { throw .truncated("tagged field tag") }
        guard let size = try readUnsignedVarint() else { throw .truncated("tagged field size") }
        guard let value = readSlice(length: Int(size)) else {
            throw .truncated("tagged field \(tag) of \(size) bytes but only \(readableBytes) bytes left")
        }
        return KafkaTaggedField(tag: tag, value: value)
    }

    /// Reads a whole tagged-field section and discards it (for structures with no known tags).
    @inlinable
    public mutating func skipKafkaTaggedFields() throws(KafkaDecodingError) {
        let count = try readKafkaTaggedFieldCount()
        for _ in 0..<count {
            _ = try readKafkaTaggedField()
        }
    }
}
