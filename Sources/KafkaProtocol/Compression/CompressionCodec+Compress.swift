import NIOCore

extension CompressionCodec {
    /// A first guess of the compressed size of `count` bytes, for the initial output buffer.
    func maximumCompressedSize(of count: Int) -> Int {
        count + count / 8 + 1024
    }

    /// Compresses the readable bytes of `input`, appending the result to `output`.
    public func compress(_ input: ByteBuffer, level: Int32? = nil, into output: inout ByteBuffer) throws(CompressionError) {
        switch self {
        case .none: output.writeImmutableBuffer(input)
        case .gzip: try GzipCompression.compress(input, level: level, into: &output)
        case .snappy: try SnappyCompression.compress(input, into: &output)
        case .lz4: try LZ4Compression.compress(input, level: level, into: &output)
        case .zstd: try ZstdCompression.compress(input, level: level, into: &output)
        }
    }

    /// Decompresses the readable bytes of `input`, refusing to produce more than `limit` bytes.
    public func decompress(_ input: ByteBuffer, limit: Int, allocator: ByteBufferAllocator = ByteBufferAllocator()) throws(CompressionError) -> ByteBuffer {
        var output = DecompressedOutput(codec: self, limit: limit, compressedSize: input.readableBytes, allocator: allocator)
        switch self {
        case .none:
            guard input.readableBytes <= limit else { throw .decompressedSizeExceeded(codec: self, limit: limit) }
            return input
        case .gzip: try GzipCompression.decompress(input, into: &output)
        case .snappy: try SnappyCompression.decompress(input, into: &output)
        case .lz4: try LZ4Compression.decompress(input, into: &output)
        case .zstd: try ZstdCompression.decompress(input, into: &output)
        }
        return output.buffer
    }
}

/// Where a decompressor writes: a buffer that grows on demand but never past the size limit.
///
/// Room is offered up to one byte beyond the limit, so a stream that fills exactly `limit` bytes
/// is told apart from one that would go on: producing that extra byte is the error.
struct DecompressedOutput {
    let codec: CompressionCodec
    let limit: Int
    private(set) var buffer: ByteBuffer

    init(codec: CompressionCodec, limit: Int, compressedSize: Int, allocator: ByteBufferAllocator) {
        self.codec = codec
        self.limit = limit
        // Record data typically compresses 2-8x; start there and double as needed.
        let guess = min(max(compressedSize * 4, 4096), limit + 1)
        self.buffer = allocator.buffer(capacity: guess)
    }

    /// Bytes written so far.
    var count: Int { buffer.writerIndex - buffer.readerIndex }

    /// Lets `body` write into free space (exactly `wanted` bytes when given); it returns how many it wrote.
    ///
    /// Throws `decompressedSizeExceeded` once more than `limit` bytes were produced, or when
    /// `wanted` alone would pass the limit.
    mutating func write(exactly wanted: Int? = nil, _ body: (UnsafeMutableRawBufferPointer) -> Int) throws(CompressionError) {
        let offer: Int
        if let wanted {
            guard wanted <= limit - count else { throw .decompressedSizeExceeded(codec: codec, limit: limit) }
            buffer.reserveCapacity(minimumWritableBytes: wanted)
            offer = wanted
        } else {
            let cap = limit + 1 - count
            if buffer.writableBytes == 0 {
                buffer.reserveCapacity(min(buffer.capacity * 2, buffer.writerIndex + cap))
            }
            offer = min(buffer.writableBytes, cap)
        }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { free in
            body(UnsafeMutableRawBufferPointer(rebasing: free[..<offer]))
        }
        if count > limit { throw .decompressedSizeExceeded(codec: codec, limit: limit) }
    }
}
