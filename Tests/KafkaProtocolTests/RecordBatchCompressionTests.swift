import NIOCore
import Testing
@testable import KafkaProtocol

@Suite struct RecordBatchCompressionTests {
    @Test(arguments: CompressionCodec.allCases)
    func batchRoundTripsWithEveryCodec(codec: CompressionCodec) throws {
        let records = (0..<500).map { i in
            Record(timestamp: 1_700_000_000_000 + Int64(i), key: i % 3 == 0 ? nil : ByteBuffer(string: "user-\(i)"),
                   value: i % 11 == 0 ? nil : ByteBuffer(string: String(repeating: "field-\(i % 9);", count: i % 40)),
                   headers: i % 2 == 0 ? [RecordHeader(key: "n", string: "\(i)"), RecordHeader(key: "null", value: nil)] : [])
        }
        var bytes = try encodeBatch(records, compression: codec, producerId: 5, producerEpoch: 0, baseSequence: 0)
        #expect(bytes.getInteger(at: 21, as: Int16.self) == codec.rawValue)
        assignBaseOffset(77, to: &bytes)
        let batch = try #require(try RecordBatchDecoder().decodeBatches(bytes).first)
        #expect(batch.compression == codec)
        #expect(batch.records.count == 500)
        var expected = records
        for index in expected.indices { expected[index].offset = 77 + Int64(index) }
        #expect(batch.records == expected)
    }

    @Test(arguments: [CompressionCodec.gzip, .snappy, .lz4, .zstd])
    func compressionShrinksRepetitiveBatches(codec: CompressionCodec) throws {
        let records = (0..<100).map { _ in Record(timestamp: 0, key: nil, value: ByteBuffer(repeating: 0x41, count: 600)) }
        let plain = try encodeBatch(records)
        let compressed = try encodeBatch(records, compression: codec)
        #expect(compressed.readableBytes * 10 < plain.readableBytes)
    }

    @Test func decompressionLimitAppliesToBatches() throws {
        let records = (0..<100).map { _ in Record(timestamp: 0, key: nil, value: ByteBuffer(repeating: 0, count: 10_000)) }
        let bytes = try encodeBatch(records, compression: .zstd)
        #expect(throws: RecordBatchError.compression(.decompressedSizeExceeded(codec: .zstd, limit: 100_000))) {
            try RecordBatchDecoder(maxDecompressedBytes: 100_000).decodeBatches(bytes)
        }
    }

    static let foreignBatches: [(String, String, CompressionCodec)] = [
        ("kafka-python", CompressionFixtures.kafkaPythonNone, .none),
        ("kafka-python", CompressionFixtures.kafkaPythonGzip, .gzip),
        ("kafka-python", CompressionFixtures.kafkaPythonSnappy, .snappy),
        ("kafka-python", CompressionFixtures.kafkaPythonRawSnappy, .snappy),
        ("kafka-python", CompressionFixtures.kafkaPythonLZ4, .lz4),
        ("kafka-python", CompressionFixtures.kafkaPythonZstd, .zstd),
        ("librdkafka", CompressionFixtures.librdkafkaNone, .none),
        ("librdkafka", CompressionFixtures.librdkafkaGzip, .gzip),
        ("librdkafka", CompressionFixtures.librdkafkaSnappy, .snappy),
        ("librdkafka", CompressionFixtures.librdkafkaLZ4, .lz4),
        ("librdkafka", CompressionFixtures.librdkafkaZstd, .zstd),
    ]

    @Test(arguments: foreignBatches)
    func batchesFromOtherClientsDecode(client: String, hex: String, codec: CompressionCodec) throws {
        let batches = try RecordBatchDecoder().decodeBatches(ByteBuffer(hex: hex))
        let batch = try #require(batches.first)
        #expect(batches.count == 1)
        #expect(batch.compression == codec)
        #expect(batch.records.map(\.offset) == [0, 1, 2])
        #expect(batch.records.map(\.timestamp) == [1_700_000_000_000, 1_700_000_000_005, 1_700_000_000_002])
        #expect(batch.maxTimestamp == 1_700_000_000_005)
        let first = batch.records[0]
        #expect(first.key == ByteBuffer(string: "user-1"))
        #expect(first.value == ByteBuffer(string: #"{"id":"1","name":""# + String(repeating: "abc", count: 20) + #""}"#))
        #expect(first.headers == [RecordHeader(key: "source", string: client), RecordHeader(key: "nullable", value: nil)])
        #expect(batch.records[1].key == nil)
        #expect(batch.records[1].value == ByteBuffer(string: String(repeating: "second ", count: 10)))
        #expect(batch.records[1].headers.isEmpty)
        #expect(batch.records[2].key == ByteBuffer(string: "tomb"))
        #expect(batch.records[2].value == nil)
    }
}

extension RecordBatchCompressionTests {
    /// Compaction can empty a compressed batch entirely; its header survives with no record bytes.
    @Test func compactedEmptyCompressedBatchDecodes() throws {
        var bytes = try encodeBatch([Record(timestamp: 1, key: nil, value: ByteBuffer(string: "gone"))], compression: .lz4)
        bytes.moveWriterIndex(to: 61)
        bytes.setInteger(Int32(0), at: 57)
        bytes.setInteger(Int32(49), at: 8)
        reseal(&bytes)
        let batch = try #require(try RecordBatchDecoder().decodeBatches(bytes).first)
        #expect(batch.records.isEmpty)
        #expect(batch.compression == .lz4)
    }
}
