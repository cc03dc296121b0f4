/// A decoded record batch (magic 2) with its records in offset order.
public struct RecordBatch: Hashable, Sendable {
    /// Offset of the batch's first record.
    public var baseOffset: Int64
    /// The leader epoch the broker stamped on the batch; -1 when unknown.
    public var partitionLeaderEpoch: Int32
    /// Compression, timestamp type and transactional/control flags.
    public var attributes: RecordBatchAttributes
    /// Offset of the last record minus `baseOffset` (kept even when compaction removed records).
    public var lastOffsetDelta: Int32
    /// Timestamp of the first record (or the delete horizon, see attributes).
    public var baseTimestamp: Int64
    /// Largest record timestamp in the batch.
    public var maxTimestamp: Int64
    /// Idempotent/transactional producer id; -1 for a plain producer.
    public var producerId: Int64
    /// Epoch of `producerId`; -1 for a plain producer.
    public var producerEpoch: Int16
    /// Sequence number of the first record; -1 for a plain producer.
    public var baseSequence: Int32
    /// The records, with absolute offsets and timestamps.
    public var records: [Record]

    /// A batch from its fields.
    public init(
        baseOffset: Int64, partitionLeaderEpoch: Int32 = -1, attributes: RecordBatchAttributes,
        lastOffsetDelta: Int32, baseTimestamp: Int64, maxTimestamp: Int64,
        producerId: Int64 = -1, producerEpoch: Int16 = -1, baseSequence: Int32 = -1, records: [Record]
    ) {
        self.baseOffset = baseOffset
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.attributes = attributes
        self.lastOffsetDelta = lastOffsetDelta
        self.baseTimestamp = baseTimestamp
        self.maxTimestamp = maxTimestamp
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.records = records
    }

    /// Offset of the batch's last record.
    public var lastOffset: Int64 { baseOffset + Int64(lastOffsetDelta) }

    /// The offset a consumer fetches next after this batch.
    public var nextOffset: Int64 { lastOffset + 1 }

    /// The batch's compression codec (nil only for bits no codec uses).
    public var compression: CompressionCodec? { attributes.compression }

    /// Whether the batch belongs to a transaction.
    public var isTransactional: Bool { attributes.isTransactional }

    /// Whether the batch is a transaction marker rather than application data.
    public var isControl: Bool { attributes.isControl }

    /// The transaction marker of a control batch; nil for data batches or an unreadable key.
    public var controlRecord: ControlRecord? {
        guard isControl, let first = records.first else { return nil }
        return try? ControlRecord(record: first)
    }
}
