import NIOCore
import Testing
@testable import KafkaProtocol

@Suite struct RecordBatchEncodingTests {
    /// One record, key "k", value "v", header h=x, timestamp 1000 ms, plain producer,
    /// laid out by hand from the record batch v2 format.
    @Test func smallBatchMatchesTheFormatByteForByte() throws {
        let record = Record(timestamp: 1000, key: ByteBuffer(string: "k"), value: ByteBuffer(string: "v"),
                            headers: [RecordHeader(key: "h", string: "x")])
        let batch = try encodeBatch([record])
        let expected = ByteBuffer(hex: """
            0000000000000000 \
            0000003e \
            ffffffff \
            02 \
            85d4936f \
            0000 \
            00000000 \
            00000000000003e8 \
            00000000000003e8 \
            ffffffffffffffff \
            ffff \
            ffffffff \
            00000001 \
            18 00 00 00 02 6b 02 76 02 02 68 02 78
            """)
        // baseOffset 0 | batchLength 62 = 49 header bytes after the length + 13 record bytes |
        // partitionLeaderEpoch -1 | magic 2 | CRC-32C of attributes..end | attributes: none, create time |
        // lastOffsetDelta 0 | baseTimestamp 1000 | maxTimestamp 1000 | producerId -1 | producerEpoch -1 |
        // baseSequence -1 | 1 record: length 12 (zigzag 0x18), attributes 0, timestampDelta 0, offsetDelta 0,
        // key length 1 (0x02) 'k', value length 1 'v', 1 header: key length 1 'h', value length 1 'x'.
        #expect(batch.hex == expected.hex)
    }

    @Test func idempotentTransactionalHeaderFields() throws {
        let records = (0..<3).map { Record(timestamp: 5000 + Int64($0) * 10, key: nil, value: ByteBuffer(string: "v\($0)")) }
        let batch = try encodeBatch(records, producerId: 42, producerEpoch: 3, baseSequence: 17, isTransactional: true)
        #expect(batch.getInteger(at: 21, as: Int16.self) == 0x10)
        #expect(batch.getInteger(at: 23, as: Int32.self) == 2)
        #expect(batch.getInteger(at: 27, as: Int64.self) == 5000)
        #expect(batch.getInteger(at: 35, as: Int64.self) == 5020)
        #expect(batch.getInteger(at: 43, as: Int64.self) == 42)
        #expect(batch.getInteger(at: 51, as: Int16.self) == 3)
        #expect(batch.getInteger(at: 53, as: Int32.self) == 17)
        #expect(batch.getInteger(at: 57, as: Int32.self) == 3)
        #expect(Int(batch.getInteger(at: 8, as: Int32.self)!) == batch.readableBytes - 12)
    }

    @Test func emptyBatchIsRefused() {
        var encoder = RecordBatchEncoder()
        #expect(throws: RecordBatchError.emptyBatch) { try encoder.encode() }
    }

    @Test func sizePredictionMatchesWhatAppendWrites() {
        var encoder = RecordBatchEncoder()
        let cases: [(ByteBuffer?, ByteBuffer?, [RecordHeader], Int64)] = [
            (nil, nil, [], 1_700_000_000_000),
            (ByteBuffer(string: "key"), ByteBuffer(repeating: 7, count: 600), [RecordHeader(key: "a", value: nil)], 1_700_000_000_123),
            (nil, ByteBuffer(repeating: 1, count: 20_000), [], 1_600_000_000_000),
        ]
        for (key, value, headers, timestamp) in cases {
            let predicted = encoder.sizeInBytes(key: key, value: value, headers: headers, timestamp: timestamp)
            let before = encoder.uncompressedSizeInBytes
            encoder.append(key: key, value: value, headers: headers, timestamp: timestamp)
            #expect(encoder.uncompressedSizeInBytes - before == predicted)
        }
    }
}

extension RecordBatchEncodingTests {
    @Test func producerFieldsCanBeAssignedAfterEncoding() throws {
        let records = [Record(timestamp: 10, key: nil, value: ByteBuffer(string: "a")), Record(timestamp: 11, key: nil, value: ByteBuffer(string: "b"))]
        var late = try encodeBatch(records, compression: .zstd)
        RecordBatchEncoder.assignProducer(producerId: 77, producerEpoch: 2, baseSequence: 40, to: &late)
        let direct = try encodeBatch(records, compression: .zstd, producerId: 77, producerEpoch: 2, baseSequence: 40)
        #expect(late == direct)
        let batch = try #require(try RecordBatchDecoder().decodeBatches(late).first)
        #expect(batch.producerId == 77 && batch.producerEpoch == 2 && batch.baseSequence == 40)
    }
}
