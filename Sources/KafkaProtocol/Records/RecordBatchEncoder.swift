import NIOCore

/// Builds one record batch (magic 2) for a Produce request.
///
/// Records are written straight into the batch buffer behind a reserved header as they are
/// appended; each record's length prefix is computed up front, so no record is written twice.
/// `encode()` fills in the header and CRC-32C, compressing the records first if asked.
public struct RecordBatchEncoder: Sendable {
    /// How the batch's records are compressed.
    public private(set) var compression: CompressionCodec
    /// Producer id for idempotence/transactions; -1 for a plain producer.
    public private(set) var producerId: Int64
    /// Epoch of `producerId`; -1 for a plain producer.
    public private(set) var producerEpoch: Int16
    /// Sequence number of the first record; -1 for a plain producer.
    public private(set) var baseSequence: Int32
    /// Whether the batch belongs to a transaction.
    public let isTransactional: Bool
    /// Compression level handed to the codec; nil for the codec's default.
    public let compressionLevel: Int32?

    /// Number of records appended so far.
    public private(set) var recordCount: Int32 = 0
    /// Timestamp of the first record.
    public private(set) var baseTimestamp: Int64 = -1
    /// Largest timestamp appended.
    public private(set) var maxTimestamp: Int64 = -1

    private var buffer: ByteBuffer
    private let allocator: ByteBufferAllocator

    /// A new, empty batch.
    public init(
        compression: CompressionCodec = .none,
        producerId: Int64 = -1,
        producerEpoch: Int16 = -1,
        baseSequence: Int32 = -1,
        isTransactional: Bool = false,
        compressionLevel: Int32? = nil,
        initialCapacity: Int = 16 * 1024,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) {
        self.compression = compression
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.isTransactional = isTransactional
        self.compressionLevel = compressionLevel
        self.allocator = allocator
        self.buffer = allocator.buffer(capacity: max(initialCapacity, RecordBatchLayout.headerSize))
        self.buffer.writeRepeatingByte(0, count: RecordBatchLayout.headerSize)
    }

    /// Uncompressed size of the batch so far, header included: what `batch.size` limits compare against.
    public var uncompressedSizeInBytes: Int { buffer.writerIndex }

    /// The bytes one more record would add, for deciding whether it still fits a size limit.
    public func sizeInBytes(key: ByteBuffer?, value: ByteBuffer?, headers: [RecordHeader] = [], timestamp: Int64) -> Int {
        let base = recordCount == 0 ? timestamp : baseTimestamp
        let body = Self.bodySize(key: key, value: value, headers: headers, timestampDelta: timestamp &- base, offsetDelta: recordCount)
        return Int32(body).varintSize + body
    }

    /// Appends a record; its offset delta is its position in the batch.
    public mutating func append(key: ByteBuffer?, value: ByteBuffer?, headers: [RecordHeader] = [], timestamp: Int64) {
        precondition(recordCount < Int32.max, "a record batch holds at most Int32.max records")
        if recordCount == 0 {
            baseTimestamp = timestamp
            maxTimestamp = timestamp
        } else if timestamp > maxTimestamp {
            maxTimestamp = timestamp
        }
        let timestampDelta = timestamp &- baseTimestamp
        let offsetDelta = recordCount
        let body = Self.bodySize(key: key, value: value, headers: headers, timestampDelta: timestampDelta, offsetDelta: offsetDelta)
        buffer.reserveCapacity(minimumWritableBytes: body + 5)
        buffer.writeVarint(Int32(body))
        buffer.writeInteger(UInt8(0))  // record attributes: unused
        buffer.writeVarlong(timestampDelta)
        buffer.writeVarint(offsetDelta)
        Self.writeNullableBytes(key, to: &buffer)
        Self.writeNullableBytes(value, to: &buffer)
        buffer.writeVarint(Int32(headers.count))
        for header in headers {
            buffer.writeVarint(Int32(header.key.utf8.count))
            buffer.writeString(header.key)
            Self.writeNullableBytes(header.value, to: &buffer)
        }
        recordCount += 1
    }

    /// Appends a record's key, value, headers and timestamp (its offset is ignored).
    public mutating func append(_ record: Record) {
        append(key: record.key, value: record.value, headers: record.headers, timestamp: record.timestamp)
    }

    /// The finished batch: header, CRC-32C and (compressed) records, ready for a Produce request.
    ///
    /// - Throws: `RecordBatchError.emptyBatch` when no record was appended, `.compression` when the codec fails.
    /// Appending more records afterwards and encoding again yields the larger batch.
    public mutating func encode() throws(RecordBatchError) -> ByteBuffer {
        guard recordCount > 0 else { throw .emptyBatch }
        writeHeader()
        guard compression != .none else {
            Self.seal(&buffer)
            return buffer
        }
        let records = buffer.getSlice(at: RecordBatchLayout.headerSize, length: buffer.writerIndex - RecordBatchLayout.headerSize)!
        var batch = allocator.buffer(capacity: RecordBatchLayout.headerSize + compression.maximumCompressedSize(of: records.readableBytes))
        batch.writeImmutableBuffer(buffer.getSlice(at: 0, length: RecordBatchLayout.headerSize)!)
        do {
            try compression.compress(records, level: compressionLevel, into: &batch)
        } catch {
            throw .compression(error)
        }
        Self.seal(&batch)
        return batch
    }

    /// The finished batch for records appended before the producer fields were known: a producer
    /// fills a batch as records are queued and learns its sequence number when it is sent.
    public mutating func encode(compression: CompressionCodec, producerId: Int64, producerEpoch: Int16,
                                baseSequence: Int32) throws(RecordBatchError) -> ByteBuffer {
        self.compression = compression
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        return try encode()
    }

    /// Rewrites the producer id, epoch and base sequence of an encoded batch and refreshes its CRC-32C.
    ///
    /// Lets a producer build batches before it knows their sequence numbers (assigned when a batch
    /// is sent) or restamp them after its epoch was bumped, without re-encoding the records.
    public static func assignProducer(producerId: Int64, producerEpoch: Int16, baseSequence: Int32, to batch: inout ByteBuffer) {
        let start = batch.readerIndex
        precondition(batch.readableBytes >= RecordBatchLayout.headerSize, "not an encoded record batch")
        batch.setInteger(producerId, at: start + RecordBatchLayout.producerId)
        batch.setInteger(producerEpoch, at: start + RecordBatchLayout.producerEpoch)
        batch.setInteger(baseSequence, at: start + RecordBatchLayout.baseSequence)
        let crc = batch.withUnsafeReadableBytes { bytes in
            var crc = CRC32C()
            crc.update(UnsafeRawBufferPointer(rebasing: bytes[RecordBatchLayout.attributes...]))
            return crc.value
        }
        batch.setInteger(crc, at: start + RecordBatchLayout.crc)
    }

    /// Fills in the batch length and the CRC-32C over attributes..end.
    private static func seal(_ batch: inout ByteBuffer) {
        batch.setInteger(Int32(batch.writerIndex - RecordBatchLayout.lengthPrefixSize), at: RecordBatchLayout.batchLength)
        let crc = batch.withUnsafeReadableBytes { bytes in
            var crc = CRC32C()
            crc.update(UnsafeRawBufferPointer(rebasing: bytes[RecordBatchLayout.attributes...]))
            return crc.value
        }
        batch.setInteger(crc, at: RecordBatchLayout.crc)
    }

    /// Fills in the header fields in place (a mutating method, so the buffer is never shared and copied).
    private mutating func writeHeader() {
        let attributes = RecordBatchAttributes(compression: compression, isTransactional: isTransactional)
        buffer.setInteger(Int64(0), at: RecordBatchLayout.baseOffset)
        buffer.setInteger(Int32(-1), at: RecordBatchLayout.partitionLeaderEpoch)
        buffer.setInteger(RecordBatchLayout.currentMagic, at: RecordBatchLayout.magic)
        buffer.setInteger(attributes.rawValue, at: RecordBatchLayout.attributes)
        buffer.setInteger(recordCount - 1, at: RecordBatchLayout.lastOffsetDelta)
        buffer.setInteger(baseTimestamp, at: RecordBatchLayout.baseTimestamp)
        buffer.setInteger(maxTimestamp, at: RecordBatchLayout.maxTimestamp)
        buffer.setInteger(producerId, at: RecordBatchLayout.producerId)
        buffer.setInteger(producerEpoch, at: RecordBatchLayout.producerEpoch)
        buffer.setInteger(baseSequence, at: RecordBatchLayout.baseSequence)
        buffer.setInteger(recordCount, at: RecordBatchLayout.recordsCount)
    }

    private static func bodySize(key: ByteBuffer?, value: ByteBuffer?, headers: [RecordHeader], timestampDelta: Int64, offsetDelta: Int32) -> Int {
        var size = 1 + timestampDelta.varlongSize + offsetDelta.varintSize
        size += nullableBytesSize(key) + nullableBytesSize(value)
        size += Int32(headers.count).varintSize
        for header in headers {
            let keyLength = header.key.utf8.count
            size += Int32(keyLength).varintSize + keyLength + nullableBytesSize(header.value)
        }
        return size
    }

    @inline(__always)
    private static func nullableBytesSize(_ bytes: ByteBuffer?) -> Int {
        guard let bytes else { return 1 }
        return Int32(bytes.readableBytes).varintSize + bytes.readableBytes
    }

    @inline(__always)
    private static func writeNullableBytes(_ bytes: ByteBuffer?, to buffer: inout ByteBuffer) {
        guard let bytes else {
            buffer.writeVarint(-1)
            return
        }
        buffer.writeVarint(Int32(bytes.readableBytes))
        buffer.writeImmutableBuffer(bytes)
    }
}
