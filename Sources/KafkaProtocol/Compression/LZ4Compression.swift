import CKafkaCompression
import NIOCore

/// LZ4 as Kafka frames it since message format v1: the standard LZ4 frame format.
///
/// Written with independent 64 KiB blocks and no content size or checksums, the layout Kafka's
/// own Java producer writes; its reader (and librdkafka's and kafka-python's) handle exactly that,
/// while older Java readers refuse frames whose blocks depend on each other.
enum LZ4Compression {
    static func compress(_ input: ByteBuffer, level: Int32?, into output: inout ByteBuffer) throws(CompressionError) {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockSizeID = LZ4F_max64KB
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        preferences.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum
        preferences.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum
        preferences.compressionLevel = level ?? 0
        let bound = LZ4F_compressFrameBound(input.readableBytes, &preferences)
        var result = 0
        input.withUnsafeReadableBytes { source in
            _ = output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { target in
                result = LZ4F_compressFrame(target.baseAddress, target.count, source.baseAddress, source.count, &preferences)
                return LZ4F_isError(result) != 0 ? 0 : result
            }
        }
        if LZ4F_isError(result) != 0 {
            throw .compressionFailed(codec: .lz4, reason: String(cString: LZ4F_getErrorName(result)))
        }
    }

    static func decompress(_ input: ByteBuffer, into output: inout DecompressedOutput) throws(CompressionError) {
        var context: OpaquePointer?
        let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(created) == 0, let context else {
            throw .corrupt(codec: .lz4, reason: "cannot create an LZ4 decompression context")
        }
        defer { LZ4F_freeDecompressionContext(context) }
        var failure: CompressionError?
        input.withUnsafeReadableBytes { source in
            guard !source.isEmpty else {
                failure = .corrupt(codec: .lz4, reason: "no data")
                return
            }
            var consumed = 0
            while failure == nil {
                var hint = 0
                var madeProgress = false
                do throws(CompressionError) {
                    try output.write { target in
                        var produced = target.count
                        var read = source.count - consumed
                        hint = LZ4F_decompress(context, target.baseAddress, &produced, source.baseAddress! + consumed, &read, nil)
                        if LZ4F_isError(hint) != 0 { return 0 }
                        consumed += read
                        madeProgress = read > 0 || produced > 0
                        return produced
                    }
                } catch {
                    failure = error
                    return
                }
                if LZ4F_isError(hint) != 0 {
                    failure = .corrupt(codec: .lz4, reason: String(cString: LZ4F_getErrorName(hint)))
                } else if hint == 0 && consumed == source.count {
                    return  // frame (or frames) complete
                } else if consumed == source.count && !madeProgress {
                    failure = .corrupt(codec: .lz4, reason: "data ends inside the frame")
                }
            }
        }
        if let failure { throw failure }
    }
}
