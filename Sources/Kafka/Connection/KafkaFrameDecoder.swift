import NIOCore

/// Splits the byte stream into Kafka frames: a 4-byte big-endian size, then that many bytes.
struct KafkaFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// Larger frames mean a confused peer (e.g. TLS or HTTP on the port), not a real response.
    let maximumFrameSize: Int

    init(maximumFrameSize: Int = 512 * 1024 * 1024) {
        self.maximumFrameSize = maximumFrameSize
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return .needMoreData }
        guard size >= 0, Int(size) <= maximumFrameSize else {
            throw KafkaError.malformedResponse("frame size \(size) is out of range — is this port really a Kafka broker (and TLS set correctly)?")
        }
        guard buffer.readableBytes >= 4 + Int(size) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        let frame = buffer.readSlice(length: Int(size))!
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
