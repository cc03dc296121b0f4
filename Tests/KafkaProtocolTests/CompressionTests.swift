import NIOCore
import Testing
@testable import KafkaProtocol

@Suite struct CompressionTests {
    static let compressed: [CompressionCodec] = [.gzip, .snappy, .lz4, .zstd]

    /// Mixed compressible and incompressible data, larger than one snappy/lz4 block.
    static let payload: ByteBuffer = {
        var buffer = ByteBuffer()
        var state: UInt32 = 12345
        for i in 0..<200_000 {
            if (i / 1000) % 2 == 0 {
                buffer.writeInteger(UInt8(truncatingIfNeeded: i % 7 + 65))
            } else {
                state = state &* 1_103_515_245 &+ 12345
                buffer.writeInteger(UInt8(truncatingIfNeeded: state >> 16))
            }
        }
        return buffer
    }()

    @Test(arguments: compressed)
    func payloadRoundTrips(codec: CompressionCodec) throws {
        var compressed = ByteBuffer()
        try codec.compress(Self.payload, into: &compressed)
        #expect(compressed.readableBytes < Self.payload.readableBytes)
        let restored = try codec.decompress(compressed, limit: 1 << 20)
        #expect(restored == Self.payload)
    }

    @Test(arguments: compressed)
    func emptyAndTinyInputsRoundTrip(codec: CompressionCodec) throws {
        for input in [ByteBuffer(), ByteBuffer(string: "x")] {
            var compressed = ByteBuffer()
            try codec.compress(input, into: &compressed)
            #expect(try codec.decompress(compressed, limit: 16) == input)
        }
    }

    @Test(arguments: compressed)
    func outputExactlyAtTheLimitIsAccepted(codec: CompressionCodec) throws {
        var compressed = ByteBuffer()
        try codec.compress(Self.payload, into: &compressed)
        #expect(try codec.decompress(compressed, limit: Self.payload.readableBytes).readableBytes == Self.payload.readableBytes)
    }

    /// A decompression bomb: 64 MiB of zeros compress to a few KiB; the limit stops it early.
    @Test(arguments: compressed)
    func decompressionBombIsCapped(codec: CompressionCodec) throws {
        let zeros = ByteBuffer(repeating: 0, count: 64 << 20)
        var bomb = ByteBuffer()
        try codec.compress(zeros, into: &bomb)
        #expect(bomb.readableBytes < 4 << 20)
        #expect(throws: CompressionError.decompressedSizeExceeded(codec: codec, limit: 1 << 20)) {
            try codec.decompress(bomb, limit: 1 << 20)
        }
    }

    @Test(arguments: compressed)
    func oneByteOverTheLimitIsRefused(codec: CompressionCodec) throws {
        var compressed = ByteBuffer()
        try codec.compress(Self.payload, into: &compressed)
        #expect(throws: CompressionError.decompressedSizeExceeded(codec: codec, limit: Self.payload.readableBytes - 1)) {
            try codec.decompress(compressed, limit: Self.payload.readableBytes - 1)
        }
    }

    @Test(arguments: compressed)
    func corruptAndTruncatedDataIsReported(codec: CompressionCodec) throws {
        var compressed = ByteBuffer()
        try codec.compress(Self.payload, into: &compressed)
        let truncated = compressed.getSlice(at: 0, length: compressed.readableBytes / 2)!
        #expect(throws: CompressionError.self) { try codec.decompress(truncated, limit: 1 << 20) }
        #expect(throws: CompressionError.self) { try codec.decompress(ByteBuffer(string: "definitely not compressed data"), limit: 1 << 20) }
        #expect(throws: CompressionError.self) { try codec.decompress(ByteBuffer(), limit: 1 << 20) }
    }

    @Test func snappyIsWrittenWithTheXerialHeader() throws {
        var compressed = ByteBuffer()
        try CompressionCodec.snappy.compress(ByteBuffer(string: "hello"), into: &compressed)
        #expect(compressed.getBytes(at: 0, length: 16) == [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1])
    }

    @Test func lz4IsWrittenAsAFrameWithIndependent64KiBBlocks() throws {
        var compressed = ByteBuffer()
        try CompressionCodec.lz4.compress(ByteBuffer(string: "hello"), into: &compressed)
        #expect(compressed.getBytes(at: 0, length: 4) == [0x04, 0x22, 0x4D, 0x18])  // frame magic, little-endian
        #expect(compressed.getInteger(at: 4, as: UInt8.self) == 0x60)  // version 01, independent blocks, no checksums or size
        #expect(compressed.getInteger(at: 5, as: UInt8.self) == 0x40)  // 64 KiB maximum block size
    }

    @Test func hostileXerialBlockLengthIsRejected() {
        var framed = ByteBuffer(bytes: [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1])
        framed.writeInteger(Int32.max)
        framed.writeBytes([1, 2, 3])
        #expect(throws: CompressionError.self) { try CompressionCodec.snappy.decompress(framed, limit: 1 << 20) }
    }

    @Test func snappyPreambleAboveTheLimitIsRefusedBeforeAllocating() {
        // A raw snappy block whose preamble claims 2^31 bytes.
        let block = ByteBuffer(bytes: [0x80, 0x80, 0x80, 0x80, 0x08, 0x00])
        #expect(throws: CompressionError.decompressedSizeExceeded(codec: .snappy, limit: 1 << 20)) {
            try CompressionCodec.snappy.decompress(block, limit: 1 << 20)
        }
    }

    @Test func codecNamesMatchKafkaSettings() {
        #expect(CompressionCodec(name: "zstd") == .zstd)
        #expect(CompressionCodec(name: "LZ4") == .lz4)
        #expect(CompressionCodec(name: "brotli") == nil)
        #expect(CompressionCodec.allCases.map(\.rawValue) == [0, 1, 2, 3, 4])
    }
}
