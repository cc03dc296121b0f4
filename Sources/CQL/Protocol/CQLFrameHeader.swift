import NIOCore

/// The 9-byte header of a frame (called an envelope in v5):
/// version (direction bit + number), flags, stream, opcode, body length.
public struct CQLFrameHeader: Hashable, Sendable {
    /// The byte size of the header.
    public static let size = 9
    /// The largest body the protocol allows (256 MiB).
    public static let maximumBodyLength = 256 * 1024 * 1024

    /// The protocol version number, without the direction bit.
    public var version: UInt8
    /// True for server → client frames (the version byte's high bit).
    public var isResponse: Bool
    /// The header flags.
    public var flags: CQLFrameFlags
    /// The stream id that pairs a response with its request; -1 for server events.
    public var stream: Int16
    /// The message kind.
    public var opcode: CQLOpcode
    /// The byte length of the body that follows.
    public var bodyLength: Int32

    /// Creates a header.
    public init(version: UInt8, isResponse: Bool, flags: CQLFrameFlags = [], stream: Int16, opcode: CQLOpcode, bodyLength: Int32) {
        self.version = version
        self.isResponse = isResponse
        self.flags = flags
        self.stream = stream
        self.opcode = opcode
        self.bodyLength = bodyLength
    }
}

/// Frame header flags (section 2.2 of the v4 spec).
public struct CQLFrameFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The body is compressed (v4 only; this client never negotiates compression).
    public static let compression = CQLFrameFlags(rawValue: 0x01)
    /// The body starts with a tracing id.
    public static let tracing = CQLFrameFlags(rawValue: 0x02)
    /// The body carries a custom payload [bytes map].
    public static let customPayload = CQLFrameFlags(rawValue: 0x04)
    /// The body starts with server warnings.
    public static let warning = CQLFrameFlags(rawValue: 0x08)
    /// The client opts in to a beta protocol version.
    public static let useBeta = CQLFrameFlags(rawValue: 0x10)
}

extension ByteBuffer {
    /// Writes a frame header.
    public mutating func writeCQLFrameHeader(_ header: CQLFrameHeader) {
        writeInteger(header.version | (header.isResponse ? 0x80 : 0))
        writeInteger(header.flags.rawValue)
        writeInteger(header.stream)
        writeInteger(header.opcode.rawValue)
        writeInteger(header.bodyLength)
    }

    /// Reads a frame header when 9 bytes are available.
    public mutating func readCQLFrameHeader() -> CQLFrameHeader? {
        guard readableBytes >= CQLFrameHeader.size,
              let versionByte = readInteger(as: UInt8.self),
              let flags = readInteger(as: UInt8.self),
              let stream = readInteger(as: Int16.self),
              let opcode = readInteger(as: UInt8.self),
              let length = readInteger(as: Int32.self) else { return nil }
        return CQLFrameHeader(
            version: versionByte & 0x7F, isResponse: versionByte & 0x80 != 0,
            flags: CQLFrameFlags(rawValue: flags), stream: stream,
            opcode: CQLOpcode(rawValue: opcode), bodyLength: length)
    }
}
