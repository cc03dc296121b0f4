import CKafkaCompression
import NIOCore

/// gzip (RFC 1952) through zlib: what Kafka's codec 1 means on the wire.
enum GzipCompression {
    /// zlib window bits 15 plus 16: write a gzip header and trailer instead of zlib's.
    private static let gzipWindowBits: Int32 = 15 + 16
    /// zlib window bits 15 plus 32: accept gzip or zlib headers when reading.
    private static let autoDetectWindowBits: Int32 = 15 + 32

    static func compress(_ input: ByteBuffer, level: Int32?, into output: inout ByteBuffer) throws(CompressionError) {
        var stream = z_stream()
        let initialized = deflateInit2_(&stream, level ?? Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzipWindowBits, 8,
                                        Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initialized == Z_OK else { throw .compressionFailed(codec: .gzip, reason: "deflateInit2 returned \(initialized)") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(input.readableBytes)))
        var status: Int32 = Z_OK
        input.withUnsafeReadableBytes { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(source.count)
            _ = output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { target in
                stream.next_out = target.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(target.count)
                status = deflate(&stream, Z_FINISH)
                return target.count - Int(stream.avail_out)
            }
        }
        guard status == Z_STREAM_END else { throw .compressionFailed(codec: .gzip, reason: "deflate returned \(status)") }
    }

    static func decompress(_ input: ByteBuffer, into output: inout DecompressedOutput) throws(CompressionError) {
        var stream = z_stream()
        let initialized = inflateInit2_(&stream, autoDetectWindowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initialized == Z_OK else { throw .corrupt(codec: .gzip, reason: "inflateInit2 returned \(initialized)") }
        defer { inflateEnd(&stream) }
        var failure: CompressionError?
        input.withUnsafeReadableBytes { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(source.count)
            guard source.count > 0 else {
                failure = .corrupt(codec: .gzip, reason: "no data")
                return
            }
            while failure == nil {
                var status: Int32 = Z_OK
                let pendingInput = stream.avail_in
                var produced = 0
                do throws(CompressionError) {
                    try output.write { target in
                        stream.next_out = target.baseAddress?.assumingMemoryBound(to: Bytef.self)
                        stream.avail_out = uInt(target.count)
                        status = inflate(&stream, Z_NO_FLUSH)
                        produced = target.count - Int(stream.avail_out)
                        return produced
                    }
                } catch {
                    failure = error
                    return
                }
                switch status {
                case Z_STREAM_END:
                    // Several gzip members back to back decode as their concatenation.
                    if stream.avail_in == 0 { return }
                    inflateReset(&stream)
                case Z_OK, Z_BUF_ERROR:
                    if produced > 0 || stream.avail_in != pendingInput { continue }
                    failure = .corrupt(codec: .gzip, reason: stream.avail_in == 0 ? "data ends inside the stream" : "inflate made no progress")
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    failure = .corrupt(codec: .gzip, reason: message)
                }
            }
        }
        if let failure { throw failure }
    }
}
