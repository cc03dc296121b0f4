import CKafkaCompression
import NIOCore

/// Snappy, in either of the two layouts found in Kafka topics.
///
/// Kafka's Java producer writes the xerial "snappy-java" stream: a 16-byte header (magic
/// 0x82 'SNAPPY' 0x00, version, compatible version) then blocks of [int32 length][raw snappy].
/// librdkafka and some other clients write one raw snappy block instead. Both are read here.
///
/// Written as xerial, with 32 KiB blocks: it is what the Java producer writes, so every consumer
/// must read it — Java's (natively), librdkafka/confluent-kafka's and kafka-python's (both
/// detect the header). Raw snappy is read by those too, but only through fallbacks.
enum SnappyCompression {
    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]
    static let xerialHeaderSize = 16
    static let xerialVersion: Int32 = 1
    static let xerialCompatibleVersion: Int32 = 1
    static let xerialBlockSize = 32 * 1024

    static func compress(_ input: ByteBuffer, into output: inout ByteBuffer) throws(CompressionError) {
        output.writeBytes(xerialMagic)
        output.writeInteger(xerialVersion)
        output.writeInteger(xerialCompatibleVersion)
        var failed = false
        input.withUnsafeReadableBytes { source in
            var offset = 0
            while offset < source.count && !failed {
                let chunk = min(xerialBlockSize, source.count - offset)
                let bound = snappy_max_compressed_length(chunk)
                let lengthIndex = output.writerIndex
                output.writeInteger(Int32(0))
                var written = 0
                _ = output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { target in
                    var length = target.count
                    let status = snappy_compress(
                        (source.baseAddress! + offset).assumingMemoryBound(to: CChar.self), chunk,
                        target.baseAddress!.assumingMemoryBound(to: CChar.self), &length)
                    guard status == SNAPPY_OK else {
                        failed = true
                        return 0
                    }
                    written = length
                    return length
                }
                output.setInteger(Int32(written), at: lengthIndex)
                offset += chunk
            }
        }
        if failed { throw .compressionFailed(codec: .snappy, reason: "snappy_compress failed") }
    }

    static func decompress(_ input: ByteBuffer, into output: inout DecompressedOutput) throws(CompressionError) {
        if input.readableBytes >= xerialHeaderSize,
           input.getBytes(at: input.readerIndex, length: xerialMagic.count) == xerialMagic {
            var blocks = input
            blocks.moveReaderIndex(forwardBy: xerialHeaderSize)
            while blocks.readableBytes > 0 {
                guard let length = blocks.readInteger(as: Int32.self) else {
                    throw .corrupt(codec: .snappy, reason: "xerial block length cut short")
                }
                guard length >= 0, let block = blocks.readSlice(length: Int(length)) else {
                    throw .corrupt(codec: .snappy, reason: "xerial block claims \(length) bytes but \(blocks.readableBytes) remain")
                }
                try decompressBlock(block, into: &output)
            }
        } else {
            try decompressBlock(input, into: &output)
        }
    }

    /// One raw snappy block; its preamble states the uncompressed size, checked against the limit first.
    private static func decompressBlock(_ block: ByteBuffer, into output: inout DecompressedOutput) throws(CompressionError) {
        var failure: CompressionError?
        try block.withUnsafeReadableBytes { source throws(CompressionError) in
            guard let base = source.baseAddress?.assumingMemoryBound(to: CChar.self) else {
                failure = .corrupt(codec: .snappy, reason: "empty block")
                return
            }
            var size = 0
            guard snappy_uncompressed_length(base, source.count, &size) == SNAPPY_OK else {
                failure = .corrupt(codec: .snappy, reason: "unreadable block preamble")
                return
            }
            try output.write(exactly: size) { target in
                var length = size
                guard size == 0 || snappy_uncompress(base, source.count, target.baseAddress!.assumingMemoryBound(to: CChar.self), &length) == SNAPPY_OK else {
                    failure = .corrupt(codec: .snappy, reason: "invalid snappy block")
                    return 0
                }
                return length
            }
        }
        if let failure { throw failure }
    }
}
