import NIOCore

/// Decodes the record batches of a Fetch response partition's `records` bytes.
///
/// Every batch's CRC-32C is verified before anything else is read, compressed records are
/// inflated under a size limit, and a batch the broker cut off at the end of the response
/// (it may, to honour the fetch size) is left unread rather than reported as an error.
/// Keys and values of uncompressed batches are slices of the fetched bytes, not copies.
public struct RecordBatchDecoder: Sendable {
    /// The most bytes one batch's records may decompress to.
    public var maxDecompressedBytes: Int
    /// Whether to check each batch's CRC-32C (only turn off to inspect damaged data).
    public var verifiesChecksum: Bool

    /// A decoder; the default limit (64 MiB) is well above Kafka's default maximum batch size.
    public init(maxDecompressedBytes: Int = 64 * 1024 * 1024, verifiesChecksum: Bool = true) {
        self.maxDecompressedBytes = maxDecompressedBytes
        self.verifiesChecksum = verifiesChecksum
    }

    /// Every complete batch in `records`, in order; a partial trailing batch is ignored.
    public func decodeBatches(_ records: ByteBuffer) throws(RecordBatchError) -> [RecordBatch] {
        var remaining = records
        var batches: [RecordBatch] = []
        while let batch = try readBatch(from: &remaining) {
            batches.append(batch)
        }
        return batches
    }

    /// Reads the next batch; nil (reader index unchanged) when the buffer holds no complete batch.
    public func readBatch(from buffer: inout ByteBuffer) throws(RecordBatchError) -> RecordBatch? {
        let start = buffer.readerIndex
        guard buffer.readableBytes >= RecordBatchLayout.lengthPrefixSize,
              let baseOffset = buffer.getInteger(at: start, as: Int64.self),
              let batchLength = buffer.getInteger(at: start + RecordBatchLayout.batchLength, as: Int32.self)
        else { return nil }
        guard batchLength >= 0 else {
            throw .malformed(baseOffset: baseOffset, reason: "negative batch length \(batchLength)")
        }
        let totalSize = RecordBatchLayout.lengthPrefixSize + Int(batchLength)
        guard buffer.readableBytes >= totalSize else { return nil }
        if let magic = buffer.getInteger(at: start + RecordBatchLayout.magic, as: Int8.self),
           Int(batchLength) > RecordBatchLayout.magic - RecordBatchLayout.lengthPrefixSize,
           magic != RecordBatchLayout.currentMagic {
            throw .unsupportedMagic(baseOffset: baseOffset, magic: magic)
        }
        guard Int(batchLength) >= RecordBatchLayout.minimumBatchLength else {
            throw .malformed(baseOffset: baseOffset, reason: "batch length \(batchLength) is shorter than the \(RecordBatchLayout.minimumBatchLength)-byte header")
        }
        let batchBytes = buffer.readSlice(length: totalSize)!
        return try decodeBatch(batchBytes, baseOffset: baseOffset)
    }

    private func decodeBatch(_ bytes: ByteBuffer, baseOffset: Int64) throws(RecordBatchError) -> RecordBatch {
        typealias L = RecordBatchLayout
        let storedCRC = bytes.getInteger(at: bytes.readerIndex + L.crc, as: UInt32.self)!
        if verifiesChecksum {
            let computed = bytes.withUnsafeReadableBytes { raw in
                var crc = CRC32C()
                crc.update(UnsafeRawBufferPointer(rebasing: raw[L.attributes...]))
                return crc.value
            }
            guard computed == storedCRC else {
                throw .checksumMismatch(baseOffset: baseOffset, stored: storedCRC, computed: computed)
            }
        }
        let base = bytes.readerIndex
        let attributes = RecordBatchAttributes(rawValue: bytes.getInteger(at: base + L.attributes)!)
        var batch = RecordBatch(
            baseOffset: baseOffset,
            partitionLeaderEpoch: bytes.getInteger(at: base + L.partitionLeaderEpoch)!,
            attributes: attributes,
            lastOffsetDelta: bytes.getInteger(at: base + L.lastOffsetDelta)!,
            baseTimestamp: bytes.getInteger(at: base + L.baseTimestamp)!,
            maxTimestamp: bytes.getInteger(at: base + L.maxTimestamp)!,
            producerId: bytes.getInteger(at: base + L.producerId)!,
            producerEpoch: bytes.getInteger(at: base + L.producerEpoch)!,
            baseSequence: bytes.getInteger(at: base + L.baseSequence)!,
            records: []
        )
        let recordsCount: Int32 = bytes.getInteger(at: base + L.recordsCount)!
        guard recordsCount >= 0 else {
            throw .malformed(baseOffset: baseOffset, reason: "negative record count \(recordsCount)")
        }
        guard let codec = attributes.compression else {
            throw .unknownCompression(baseOffset: baseOffset, bits: attributes.rawValue & 0x07)
        }
        var data = bytes.getSlice(at: base + L.headerSize, length: bytes.readableBytes - L.headerSize)!
        // Compaction can leave a batch with no records and no record bytes, yet its compression bits set.
        if codec != .none && !(recordsCount == 0 && data.readableBytes == 0) {
            do {
                data = try codec.decompress(data, limit: maxDecompressedBytes, allocator: ByteBufferAllocator())
            } catch {
                throw .compression(error)
            }
        }
        // A hostile count must not reserve memory the bytes cannot back.
        guard Int(recordsCount) <= data.readableBytes / L.minimumRecordSize else {
            throw .malformed(baseOffset: baseOffset, reason: "record count \(recordsCount) does not fit in \(data.readableBytes) bytes of records")
        }
        batch.records.reserveCapacity(Int(recordsCount))
        let logAppendTime = attributes.timestampType == .logAppendTime
        do {
            for index in 0..<Int(recordsCount) {
                var record = try Self.readRecord(from: &data, index: index)
                record.offset = baseOffset &+ record.offset
                record.timestamp = logAppendTime ? batch.maxTimestamp : batch.baseTimestamp &+ record.timestamp
                batch.records.append(record)
            }
        } catch {
            throw .malformed(baseOffset: baseOffset, reason: error.description)
        }
        guard data.readableBytes == 0 else {
            throw .malformed(baseOffset: baseOffset, reason: "\(data.readableBytes) bytes left over after \(recordsCount) records")
        }
        return batch
    }

    /// Reads one record; offset and timestamp are left as deltas for the caller to rebase.
    private static func readRecord(from data: inout ByteBuffer, index: Int) throws(KafkaDecodingError) -> Record {
        if let record = readPlainRecord(from: &data) { return record }
        return try readRecordChecked(from: &data, index: index)
    }

    /// Where one record's fields lie, as offsets from the reader index of the records' bytes.
    private struct PlainRecordLayout {
        var size: Int
        var timestampDelta: Int64
        var offsetDelta: Int32
        var keyStart: Int
        var keyLength: Int
        var valueStart: Int
        var valueLength: Int
    }

    /// The common case in one pass over raw bytes: a well-formed record without headers. Returns
    /// nil, reading nothing, for anything else (headers, or bytes that break the format), which
    /// `readRecordChecked` then reads or reports field by field.
    @inline(__always)
    private static func readPlainRecord(from data: inout ByteBuffer) -> Record? {
        let layout = data.withUnsafeReadableBytes { raw -> PlainRecordLayout? in
            var i = 0
            guard let length = zigzag32(varint(raw, &i, end: raw.count, maxBytes: 5)), length >= 0 else { return nil }
            let end = i + Int(length)
            guard end <= raw.count, i < end else { return nil }
            i += 1  // attributes
            guard let timestampDelta = zigzag64(varint(raw, &i, end: end, maxBytes: 10)),
                  let offsetDelta = zigzag32(varint(raw, &i, end: end, maxBytes: 5)),
                  let keyLength = zigzag32(varint(raw, &i, end: end, maxBytes: 5)), keyLength >= -1
            else { return nil }
            let keyStart = i
            if keyLength > 0 { i += Int(keyLength) }
            guard i <= end, let valueLength = zigzag32(varint(raw, &i, end: end, maxBytes: 5)), valueLength >= -1 else { return nil }
            let valueStart = i
            if valueLength > 0 { i += Int(valueLength) }
            // No headers (a single zero varint) and nothing after them.
            guard i + 1 == end, raw[i] == 0 else { return nil }
            return PlainRecordLayout(size: end, timestampDelta: timestampDelta, offsetDelta: offsetDelta,
                                     keyStart: keyStart, keyLength: Int(keyLength), valueStart: valueStart, valueLength: Int(valueLength))
        }
        guard let layout else { return nil }
        let base = data.readerIndex
        let key = layout.keyLength < 0 ? nil : data.getSlice(at: base + layout.keyStart, length: layout.keyLength)
        let value = layout.valueLength < 0 ? nil : data.getSlice(at: base + layout.valueStart, length: layout.valueLength)
        data.moveReaderIndex(forwardBy: layout.size)
        return Record(offset: Int64(layout.offsetDelta), timestamp: layout.timestampDelta, key: key, value: value, headers: [])
    }

    /// An unsigned LEB128 varint of at most `maxBytes` bytes that ends before `end`; nil otherwise.
    @inline(__always)
    private static func varint(_ raw: UnsafeRawBufferPointer, _ i: inout Int, end: Int, maxBytes: Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var index = i
        let limit = min(end, index + maxBytes)
        while index < limit {
            let byte = raw[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                i = index
                return result
            }
            shift += 7
        }
        return nil
    }

    @inline(__always)
    private static func zigzag32(_ value: UInt64?) -> Int32? {
        guard let value, value <= UInt64(UInt32.max) else { return nil }
        let u = UInt32(value)
        return Int32(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    @inline(__always)
    private static func zigzag64(_ value: UInt64?) -> Int64? {
        guard let u = value else { return nil }
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    /// Reads one record field by field, naming what is wrong when the bytes break the format.
    private static func readRecordChecked(from data: inout ByteBuffer, index: Int) throws(KafkaDecodingError) -> Record {
        guard let length = try data.readVarint() else { throw .truncated("length of record \(index)") }
        guard length >= 0, Int(length) <= data.readableBytes else {
            throw .malformed("record \(index) claims \(length) bytes but \(data.readableBytes) remain")
        }
        var body = data.readSlice(length: Int(length))!
        guard body.readInteger(as: UInt8.self) != nil else { throw .truncated("attributes of record \(index)") }
        guard let timestampDelta = try body.readVarlong() else { throw .truncated("timestamp of record \(index)") }
        guard let offsetDelta = try body.readVarint() else { throw .truncated("offset of record \(index)") }
        let key = try readNullableBytes(from: &body, what: "key of record \(index)")
        let value = try readNullableBytes(from: &body, what: "value of record \(index)")
        guard let headerCount = try body.readVarint() else { throw .truncated("header count of record \(index)") }
        // Each header takes at least two bytes (two length varints).
        guard headerCount >= 0, Int(headerCount) <= body.readableBytes / 2 else {
            throw .malformed("record \(index) claims \(headerCount) headers in \(body.readableBytes) bytes")
        }
        var headers: [RecordHeader] = []
        if headerCount > 0 {
            headers.reserveCapacity(Int(headerCount))
            for _ in 0..<Int(headerCount) {
                guard let keyLength = try body.readVarint() else { throw .truncated("header key length of record \(index)") }
                guard keyLength >= 0, let headerKey = body.readString(length: Int(keyLength)) else {
                    throw .malformed("header key of record \(index) claims \(keyLength) bytes but \(body.readableBytes) remain")
                }
                let headerValue = try readNullableBytes(from: &body, what: "header '\(headerKey)' of record \(index)")
                headers.append(RecordHeader(key: headerKey, value: headerValue))
            }
        }
        guard body.readableBytes == 0 else {
            throw .malformed("record \(index) has \(body.readableBytes) bytes beyond its fields")
        }
        return Record(offset: Int64(offsetDelta), timestamp: timestampDelta, key: key, value: value, headers: headers)
    }

    @inline(__always)
    private static func readNullableBytes(from body: inout ByteBuffer, what: @autoclosure () -> String) throws(KafkaDecodingError) -> ByteBuffer? {
        guard let length = try body.readVarint() else { throw .truncated("length of \(what())") }
        if length == -1 { return nil }
        guard length >= 0, let bytes = body.readSlice(length: Int(length)) else {
            throw .malformed("\(what()) claims \(length) bytes but \(body.readableBytes) remain")
        }
        return bytes
    }
}
