import NIOCore

/// A v5 segment: up to 128 KiB − 1 of payload, checksummed. A self-contained segment holds
/// whole envelopes; otherwise it holds one part of a single large envelope.
public struct CQLSegment: Sendable, Hashable {
    /// The largest payload one segment carries.
    public static let maximumPayloadLength = 128 * 1024 - 1
    /// Bytes before the payload: 3 header bytes and their CRC24.
    public static let headerLength = 6
    /// Bytes after the payload: its CRC32.
    public static let trailerLength = 4

    /// The payload (envelope bytes).
    public var payload: ByteBuffer
    /// Whether the payload holds only whole envelopes.
    public var isSelfContained: Bool

    /// Creates a segment.
    public init(payload: ByteBuffer, isSelfContained: Bool) {
        self.payload = payload
        self.isSelfContained = isSelfContained
    }
}

/// Writes uncompressed v5 segments.
public struct CQLSegmentEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Writes one segment: little-endian header (17-bit length, self-contained bit), CRC24, payload, CRC32.
    public func encode(_ segment: CQLSegment, into buffer: inout ByteBuffer) {
        let length = segment.payload.readableBytes
        precondition(length <= CQLSegment.maximumPayloadLength, "a segment payload holds at most 131071 bytes")
        let header = UInt64(length) | (segment.isSelfContained ? 1 << 17 : 0)
        buffer.writeLittleEndian(header, byteCount: 3)
        buffer.writeLittleEndian(UInt64(CQLChecksum.crc24(header: header, byteCount: 3)), byteCount: 3)
        let payloadBytes = segment.payload.readableBytesView
        buffer.writeBytes(payloadBytes)
        buffer.writeLittleEndian(UInt64(CQLChecksum.crc32(payload: payloadBytes)), byteCount: 4)
    }

    /// Wraps the bytes of whole envelopes into segments: one self-contained segment when they fit,
    /// else a run of non-self-contained segments carrying consecutive parts.
    public func encode(envelopes: ByteBuffer, into buffer: inout ByteBuffer) {
        var rest = envelopes
        if rest.readableBytes <= CQLSegment.maximumPayloadLength {
            encode(CQLSegment(payload: rest, isSelfContained: true), into: &buffer)
            return
        }
        while rest.readableBytes > 0 {
            let part = rest.readSlice(length: min(rest.readableBytes, CQLSegment.maximumPayloadLength))!
            encode(CQLSegment(payload: part, isSelfContained: false), into: &buffer)
        }
    }
}

/// Cuts v5 segments out of a byte stream and checks both checksums.
public struct CQLSegmentDecoder: Sendable {
    /// Creates a decoder.
    public init() {}

    /// Returns the next whole segment and consumes it, or nil (consuming nothing) when more bytes are needed.
    public func decode(_ buffer: inout ByteBuffer) throws(CQLError) -> CQLSegment? {
        var peek = buffer
        guard peek.readableBytes >= CQLSegment.headerLength,
              let header = peek.readLittleEndian(byteCount: 3),
              let headerCRC = peek.readLittleEndian(byteCount: 3) else { return nil }
        let expectedHeaderCRC = CQLChecksum.crc24(header: header, byteCount: 3)
        guard headerCRC == UInt64(expectedHeaderCRC) else {
            throw CQLError.protocolViolation("segment header checksum mismatch (CRC24 0x\(String(headerCRC, radix: 16)), expected 0x\(String(expectedHeaderCRC, radix: 16))) — the connection is corrupt or the server did not switch to v5 framing")
        }
        let length = Int(header & 0x1FFFF)
        let isSelfContained = header & (1 << 17) != 0
        guard let payload = peek.readSlice(length: length),
              let payloadCRC = peek.readLittleEndian(byteCount: 4) else { return nil }
        let expectedPayloadCRC = CQLChecksum.crc32(payload: payload.readableBytesView)
        guard payloadCRC == UInt64(expectedPayloadCRC) else {
            throw CQLError.protocolViolation("segment payload checksum mismatch (CRC32 0x\(String(payloadCRC, radix: 16)), expected 0x\(String(expectedPayloadCRC, radix: 16))) — the connection is corrupt")
        }
        buffer = peek
        return CQLSegment(payload: payload, isSelfContained: isSelfContained)
    }
}

extension ByteBuffer {
    mutating func writeLittleEndian(_ value: UInt64, byteCount: Int) {
        for index in 0..<byteCount {
            writeInteger(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))))
        }
    }

    mutating func readLittleEndian(byteCount: Int) -> UInt64? {
        guard let bytes = readBytes(length: byteCount) else { return nil }
        var value: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            value |= UInt64(byte) << (8 * UInt64(index))
        }
        return value
    }
}
