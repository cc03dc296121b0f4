import NIOCore
import Testing
@testable import KafkaProtocol

@Suite struct RecordBatchDecodingTests {
    static let sample: [Record] = [
        Record(timestamp: 1_700_000_000_000, key: ByteBuffer(string: "user-1"), value: ByteBuffer(string: #"{"id":"1"}"#),
               headers: [RecordHeader(key: "reason", string: "none"), RecordHeader(key: "empty", value: nil),
                         RecordHeader(key: "zero", value: ByteBuffer())]),
        Record(timestamp: 1_699_999_999_000, key: nil, value: ByteBuffer(string: "earlier timestamp, null key")),
        Record(timestamp: 1_700_000_000_500, key: ByteBuffer(string: "tombstone"), value: nil),
        Record(timestamp: 1_700_000_000_600, key: ByteBuffer(), value: ByteBuffer(), headers: [RecordHeader(key: "ünï", string: "çødé")]),
    ]

    @Test func uncompressedRoundTripKeepsEveryField() throws {
        var bytes = try encodeBatch(Self.sample, producerId: 9, producerEpoch: 1, baseSequence: 100)
        assignBaseOffset(1000, to: &bytes)
        let batches = try RecordBatchDecoder().decodeBatches(bytes)
        #expect(batches.count == 1)
        let batch = try #require(batches.first)
        #expect(batch.baseOffset == 1000)
        #expect(batch.lastOffset == 1003)
        #expect(batch.nextOffset == 1004)
        #expect(batch.compression == CompressionCodec.none)
        #expect(batch.producerId == 9)
        #expect(batch.producerEpoch == 1)
        #expect(batch.baseSequence == 100)
        #expect(batch.maxTimestamp == 1_700_000_000_600)
        #expect(!batch.isTransactional && !batch.isControl)
        var expected = Self.sample
        for index in expected.indices { expected[index].offset = 1000 + Int64(index) }
        #expect(batch.records == expected)
    }

    @Test func manyRecordsRoundTrip() throws {
        let records = (0..<5000).map { i in
            Record(timestamp: 1_700_000_000_000 + Int64(i), key: ByteBuffer(string: "k\(i)"),
                   value: ByteBuffer(repeating: UInt8(truncatingIfNeeded: i), count: i % 700))
        }
        let batch = try #require(try RecordBatchDecoder().decodeBatches(try encodeBatch(records)).first)
        #expect(batch.records.count == 5000)
        #expect(batch.lastOffsetDelta == 4999)
        #expect(batch.records.map(\.value) == records.map(\.value))
        #expect(batch.records.map(\.offset) == (0..<5000).map { Int64($0) })
    }

    @Test func severalBatchesDecodeInOrder() throws {
        var all = ByteBuffer()
        for base in [0, 4, 8] as [Int64] {
            var batch = try encodeBatch(Self.sample)
            assignBaseOffset(base, to: &batch)
            all.writeImmutableBuffer(batch)
        }
        let batches = try RecordBatchDecoder().decodeBatches(all)
        #expect(batches.map(\.baseOffset) == [0, 4, 8])
        #expect(batches.flatMap(\.records).map(\.offset) == Array(0..<12))
    }

    @Test func partialTrailingBatchIsLeftUnread() throws {
        var all = ByteBuffer()
        let first = try encodeBatch(Self.sample)
        all.writeImmutableBuffer(first)
        var second = try encodeBatch(Self.sample)
        assignBaseOffset(4, to: &second)
        for cut in [1, 11, 12, 17, 60, second.readableBytes - 1] {
            var fetched = all
            fetched.writeImmutableBuffer(second.getSlice(at: 0, length: cut)!)
            let batches = try RecordBatchDecoder().decodeBatches(fetched)
            #expect(batches.map(\.baseOffset) == [0], "cut at \(cut)")
            var remaining = fetched
            _ = try RecordBatchDecoder().readBatch(from: &remaining)
            #expect(try RecordBatchDecoder().readBatch(from: &remaining) == nil)
            #expect(remaining.readableBytes == cut)
        }
    }

    @Test func checksumMismatchIsReported() throws {
        var bytes = try encodeBatch(Self.sample)
        let index = bytes.writerIndex - 3
        bytes.setInteger(bytes.getInteger(at: index, as: UInt8.self)! ^ 0x01, at: index)
        #expect {
            try RecordBatchDecoder().decodeBatches(bytes)
        } throws: { error in
            guard case .checksumMismatch(let offset, _, _)? = error as? RecordBatchError else { return false }
            return offset == 0
        }
        // The leader epoch lies outside the checksum, so a broker may rewrite it.
        var restamped = try encodeBatch(Self.sample)
        restamped.setInteger(Int32(7), at: 12)
        #expect(try RecordBatchDecoder().decodeBatches(restamped).first?.partitionLeaderEpoch == 7)
    }

    @Test func legacyMessageFormatIsRejected() throws {
        var bytes = try encodeBatch(Self.sample)
        bytes.setInteger(Int8(1), at: 16)
        #expect(throws: RecordBatchError.unsupportedMagic(baseOffset: 0, magic: 1)) {
            try RecordBatchDecoder().decodeBatches(bytes)
        }
    }

    @Test func hostileLengthsAreRejectedWithoutAllocating() throws {
        let good = try encodeBatch([Self.sample[0]])
        // Each mutation keeps the CRC valid so the length checks themselves are exercised.
        func resealed(_ mutate: (inout ByteBuffer) -> Void) -> ByteBuffer {
            var bytes = good
            mutate(&bytes)
            reseal(&bytes)
            return bytes
        }
        let hostile: [(String, ByteBuffer)] = [
            ("record count Int32.max", resealed { $0.setInteger(Int32.max, at: 57) }),
            ("negative record count", resealed { $0.setInteger(Int32(-5), at: 57) }),
            ("record length beyond batch", resealed { $0.setBytes([0xFE, 0xFF, 0xFF, 0xFF, 0x07], at: 61) }),
            ("key length beyond record", resealed { $0.setInteger(UInt8(0x7E), at: 61 + 4) }),
            ("key length -2", resealed { $0.setInteger(UInt8(0x03), at: 61 + 4) }),
            ("batch length below header", resealed { $0.setInteger(Int32(20), at: 8) }),
        ]
        for (name, bytes) in hostile {
            #expect(throws: RecordBatchError.self, "\(name)") { try RecordBatchDecoder().decodeBatches(bytes) }
        }
        var negativeLength = good
        negativeLength.setInteger(Int32(-1), at: 8)
        #expect(throws: RecordBatchError.self) { try RecordBatchDecoder().decodeBatches(negativeLength) }
        // A huge batch length is just an incomplete batch: nothing to decode yet, nothing allocated.
        var huge = good
        huge.setInteger(Int32.max, at: 8)
        #expect(try RecordBatchDecoder().decodeBatches(huge).isEmpty)
    }

    /// Random byte flips in every kind of batch must end in a batch or an error, never a crash.
    @Test(arguments: CompressionCodec.allCases)
    func corruptedBatchesNeverCrash(codec: CompressionCodec) throws {
        let good = try encodeBatch(Self.sample, compression: codec)
        var generator = SeededGenerator(seed: 0x5EED + UInt64(codec.rawValue))
        let decoder = RecordBatchDecoder(maxDecompressedBytes: 1 << 20, verifiesChecksum: false)
        for _ in 0..<2000 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let index = Int.random(in: 0..<bytes.readableBytes, using: &generator)
                bytes.setInteger(UInt8.random(in: 0...255, using: &generator), at: index)
            }
            // Typed throws already pin the error to RecordBatchError; reaching the end is the assertion.
            _ = try? decoder.decodeBatches(bytes)
        }
    }

    @Test func emptyInputHasNoBatches() throws {
        #expect(try RecordBatchDecoder().decodeBatches(ByteBuffer()).isEmpty)
    }

    @Test func logAppendTimeUsesTheBatchMaxTimestamp() throws {
        var bytes = try encodeBatch(Self.sample)
        bytes.setInteger(Int16(0x08), at: 21)
        bytes.setInteger(Int64(42_000), at: 35)
        reseal(&bytes)
        let batch = try #require(try RecordBatchDecoder().decodeBatches(bytes).first)
        #expect(batch.attributes.timestampType == .logAppendTime)
        #expect(batch.records.allSatisfy { $0.timestamp == 42_000 })
    }
}
