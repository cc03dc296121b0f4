import NIOCore

/// One key/value record of a record batch, with its absolute offset and timestamp.
public struct Record: Hashable, Sendable {
    /// The record's offset in its partition (base offset + offset delta).
    public var offset: Int64
    /// Milliseconds since the Unix epoch (create time or log-append time, see the batch).
    public var timestamp: Int64
    /// The key bytes; nil for a null key.
    public var key: ByteBuffer?
    /// The value bytes; nil for a null value (a tombstone).
    public var value: ByteBuffer?
    /// Application headers, in wire order; keys may repeat.
    public var headers: [RecordHeader]

    /// A record; `offset` is ignored when the record is appended to a batch being encoded.
    public init(offset: Int64 = 0, timestamp: Int64, key: ByteBuffer?, value: ByteBuffer?, headers: [RecordHeader] = []) {
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value
        self.headers = headers
    }
}

/// A record header: a UTF-8 key and nullable bytes.
public struct RecordHeader: Hashable, Sendable {
    /// The header name.
    public var key: String
    /// The header bytes; nil for a null value.
    public var value: ByteBuffer?

    /// A header with bytes.
    public init(key: String, value: ByteBuffer?) {
        self.key = key
        self.value = value
    }

    /// A header whose value is the UTF-8 bytes of a string.
    public init(key: String, string: String) {
        self.key = key
        self.value = ByteBuffer(string: string)
    }
}
