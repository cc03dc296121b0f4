import NIOCore

extension CompressionCodec {
    /// Upper bound of the compressed size of `count` bytes, for sizing the output buffer.
    func maximumCompressedSize(of count: Int) -> Int {
        count + count / 8 + 1024
    }

    /// Compresses the readable bytes of `input`, appending the result to `output`.
    func compress(_ input: ByteBuffer, level: Int32?, into output: inout ByteBuffer) throws(CompressionError) {
        throw .compressionFailed(codec: self, reason: "not available yet")
    }

    /// Decompresses the readable bytes of `input`, refusing to produce more than `limit` bytes.
    func decompress(_ input: ByteBuffer, limit: Int, allocator: ByteBufferAllocator) throws(CompressionError) -> ByteBuffer {
        throw .corrupt(codec: self, reason: "not available yet")
    }
}
