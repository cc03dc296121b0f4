/// Byte positions of the fixed record batch v2 header, from the batch's first byte.
enum RecordBatchLayout {
    static let baseOffset = 0
    static let batchLength = 8
    static let partitionLeaderEpoch = 12
    static let magic = 16
    static let crc = 17
    static let attributes = 21
    static let lastOffsetDelta = 23
    static let baseTimestamp = 27
    static let maxTimestamp = 35
    static let producerId = 43
    static let producerEpoch = 51
    static let baseSequence = 53
    static let recordsCount = 57
    /// Size of the header; records (or compressed records) follow.
    static let headerSize = 61
    /// The bytes before the part `batchLength` counts.
    static let lengthPrefixSize = 12
    /// Smallest valid `batchLength`: partitionLeaderEpoch through recordsCount.
    static let minimumBatchLength = headerSize - lengthPrefixSize
    /// The only supported message format.
    static let currentMagic: Int8 = 2
    /// The smallest encoded record: length, attributes, timestamp delta, offset delta,
    /// key length, value length and header count, one byte each.
    static let minimumRecordSize = 7
}

extension Int32 {
    /// Bytes the zigzag varint encoding of this value takes.
    var varintSize: Int {
        let zigzag = UInt32(bitPattern: (self << 1) ^ (self >> 31))
        return (38 - (zigzag | 1).leadingZeroBitCount) / 7
    }
}

extension Int64 {
    /// Bytes the zigzag varlong encoding of this value takes.
    var varlongSize: Int {
        let zigzag = UInt64(bitPattern: (self << 1) ^ (self >> 63))
        return (70 - (zigzag | 1).leadingZeroBitCount) / 7
    }
}
