/// The int16 attributes of a record batch: compression, timestamp type, transactional and control flags.
public struct RecordBatchAttributes: Hashable, Sendable {
    /// The raw bits as on the wire.
    public var rawValue: Int16

    /// Attributes from their wire bits; unknown compression bits are kept and reported by `compression`.
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// Attributes of a batch a producer writes.
    public init(compression: CompressionCodec, timestampType: TimestampType = .createTime, isTransactional: Bool = false, isControl: Bool = false) {
        var raw = compression.rawValue
        if timestampType == .logAppendTime { raw |= 0x08 }
        if isTransactional { raw |= 0x10 }
        if isControl { raw |= 0x20 }
        self.rawValue = raw
    }

    /// The codec named by bits 0-2; nil when the bits name no known codec.
    public var compression: CompressionCodec? { CompressionCodec(rawValue: rawValue & 0x07) }

    /// Bit 3: whether timestamps are the producer's create time or the broker's append time.
    public var timestampType: TimestampType { rawValue & 0x08 != 0 ? .logAppendTime : .createTime }

    /// Bit 4: the batch belongs to a transaction.
    public var isTransactional: Bool { rawValue & 0x10 != 0 }

    /// Bit 5: the batch holds a transaction marker, never shown to applications.
    public var isControl: Bool { rawValue & 0x20 != 0 }

    /// Bit 6: compaction set `baseTimestamp` to the delete horizon.
    public var hasDeleteHorizon: Bool { rawValue & 0x40 != 0 }
}

/// What a record timestamp means.
public enum TimestampType: Sendable, Hashable {
    /// Set by the producer when the record was created.
    case createTime
    /// Set by the broker when it appended the batch (maxTimestamp holds it).
    case logAppendTime
}
