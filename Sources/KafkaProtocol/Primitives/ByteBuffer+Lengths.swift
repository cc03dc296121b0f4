import NIOCore

/// Length prefixes shared by strings, bytes and arrays. Classic encodings use a signed
/// int16/int32 with -1 for null; compact encodings (flexible versions) use an unsigned
/// varint holding length + 1, with 0 for null.
extension ByteBuffer {
    /// Reads a length prefix; nil means null. Rejects lengths longer than the bytes left
    /// (`bytesPerItem` is the least each counted item occupies), so hostile input never
    /// makes a decoder allocate.
    @inlinable
    mutating func readKafkaLength(
        classicInt16: Bool, compact: Bool, bytesPerItem: Int, what: StaticString
    ) throws(KafkaDecodingError) -> Int? {
        let length: Int
        if compact {
            guard let raw = try readUnsignedVarint() else { throw .truncated("\(what) length") }
            if raw == 0 { return nil }
            length = Int(raw) - 1
        } else if classicInt16 {
            let raw = try readKafkaInteger(as: Int16.self)
            if raw == -1 { return nil }
            length = Int(raw)
        } else {
            let raw = try readKafkaInteger(as: Int32.self)
            if raw == -1 { return nil }
            length = Int(raw)
        }
        guard length >= 0 else { throw .malformed("negative \(what) length \(length)") }
        guard length <= readableBytes / max(bytesPerItem, 1) else {
            throw .truncated("\(what) of length \(length) but only \(readableBytes) bytes left")
        }
        return length
    }

    /// Writes a compact length (length + 1, or 0 for null).
    @inlinable
    mutating func writeKafkaCompactLength(_ length: Int?) throws(KafkaEncodingError) {
        guard let length else {
            writeUnsignedVarint(0)
            return
        }
        guard length < Int(UInt32.max) else { throw .valueTooLarge("compact length \(length)") }
        writeUnsignedVarint(UInt32(length + 1))
    }

    /// Writes a classic int32 length (-1 for null).
    @inlinable
    mutating func writeKafkaInt32Length(_ length: Int?) throws(KafkaEncodingError) {
        guard let length else {
            writeInteger(Int32(-1))
            return
        }
        guard length <= Int(Int32.max) else { throw .valueTooLarge("length \(length)") }
        writeInteger(Int32(length))
    }
}
