import CKafkaCompression
import NIOCore

/// Zstandard frames (Kafka 2.1+). Decoded by streaming, so frames that do not declare their
/// content size decode too and the output limit applies before anything is allocated.
enum ZstdCompression {
    /// The level Kafka's Java producer uses by default.
    static let defaultLevel: Int32 = 3

    static func compress(_ input: ByteBuffer, level: Int32?, into output: inout ByteBuffer) throws(CompressionError) {
        let bound = ZSTD_compressBound(input.readableBytes)
        var result = 0
        input.withUnsafeReadableBytes { source in
            _ = output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { target in
                result = ZSTD_compress(target.baseAddress, target.count, source.baseAddress, source.count, level ?? defaultLevel)
                return ZSTD_isError(result) != 0 ? 0 : result
            }
        }
        if ZSTD_isError(result) != 0 {
            throw .compressionFailed(codec: .zstd, reason: String(cString: ZSTD_getErrorName(result)))
        }
    }

    static func decompress(_ input: ByteBuffer, into output: inout DecompressedOutput) throws(CompressionError) {
        guard let context = ZSTD_createDCtx() else { throw .corrupt(codec: .zstd, reason: "cannot create a zstd context") }
        defer { ZSTD_freeDCtx(context) }
        // A frame may ask for a window (memory) far beyond the data it holds; allow what the
        // output limit could need, at least 8 MiB (what streaming producers use) and at most 128 MiB.
        let limitLog = Int32(Int.bitWidth - max(output.limit, 1).leadingZeroBitCount)
        ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, min(27, max(23, limitLog)))
        var failure: CompressionError?
        input.withUnsafeReadableBytes { source in
            guard !source.isEmpty else {
                failure = .corrupt(codec: .zstd, reason: "no data")
                return
            }
            var inBuffer = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
            while failure == nil {
                var result = 0
                var produced = 0
                let before = inBuffer.pos
                do throws(CompressionError) {
                    try output.write { target in
                        var outBuffer = ZSTD_outBuffer(dst: target.baseAddress, size: target.count, pos: 0)
                        result = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
                        produced = ZSTD_isError(result) != 0 ? 0 : outBuffer.pos
                        return produced
                    }
                } catch {
                    failure = error
                    return
                }
                if ZSTD_isError(result) != 0 {
                    failure = .corrupt(codec: .zstd, reason: String(cString: ZSTD_getErrorName(result)))
                } else if result == 0 && inBuffer.pos == inBuffer.size {
                    return  // last frame complete and flushed
                } else if inBuffer.pos == inBuffer.size && produced == 0 && inBuffer.pos == before {
                    failure = .corrupt(codec: .zstd, reason: "data ends inside the frame")
                }
            }
        }
        if let failure { throw failure }
    }
}
