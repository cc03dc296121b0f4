import NIOCore

/// One whole frame (v4) or envelope (v5): a header and its body.
public struct CQLFrame: Sendable, Hashable {
    /// The header; `bodyLength` always matches `body.readableBytes` once encoded.
    public var header: CQLFrameHeader
    /// The message body.
    public var body: ByteBuffer

    /// Creates a frame.
    public init(header: CQLFrameHeader, body: ByteBuffer) {
        self.header = header
        self.body = body
    }
}

/// Encodes frames into bytes.
public struct CQLFrameEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Writes `frame` with its header's length set from the body.
    public func encode(_ frame: CQLFrame, into buffer: inout ByteBuffer) {
        var header = frame.header
        header.bodyLength = Int32(frame.body.readableBytes)
        buffer.writeCQLFrameHeader(header)
        var body = frame.body
        buffer.writeBuffer(&body)
    }
}

/// Cuts whole frames out of a byte stream.
public struct CQLFrameDecoder: Sendable {
    /// Creates a decoder.
    public init() {}

    /// Returns the next whole frame and consumes it, or nil (consuming nothing) when more bytes are needed.
    public func decode(_ buffer: inout ByteBuffer) throws(CQLError) -> CQLFrame? {
        var peek = buffer
        guard let header = peek.readCQLFrameHeader() else { return nil }
        guard header.version == 3 || header.version == 4 || header.version == 5 else {
            throw CQLError.protocolViolation("received a frame with protocol version \(header.version); this client speaks v4 and v5 — is the peer a Cassandra native-protocol port (9042)?")
        }
        guard header.bodyLength >= 0, Int(header.bodyLength) <= CQLFrameHeader.maximumBodyLength else {
            throw CQLError.protocolViolation("received a frame announcing a \(header.bodyLength)-byte body; the protocol allows at most 256 MiB")
        }
        if header.flags.contains(.compression) && header.version < 5 {
            throw CQLError.protocolViolation("received a compressed \(header.opcode) frame, but this client never asks for compression — is the server forcing frame compression?")
        }
        guard let body = peek.readSlice(length: Int(header.bodyLength)) else { return nil }
        buffer = peek
        return CQLFrame(header: header, body: body)
    }
}
