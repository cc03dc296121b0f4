import Foundation
import NIOCore

/// Reads standard input (or another descriptor) in large chunks and splits it into lines (without
/// the newline), much faster than `readLine()` for millions of records. Lines are slices of the
/// chunk they were read into, so turning them into record keys and values copies nothing.
struct StandardInputLines {
    private let fileDescriptor: Int32
    private let chunkSize: Int
    private var chunk = ByteBuffer()
    private var atEOF = false
    /// The errno of a failed read; the input ends there.
    private(set) var readError: Int32?

    init(fileDescriptor: Int32 = STDIN_FILENO, chunkSize: Int = 1 << 20) {
        self.fileDescriptor = fileDescriptor
        self.chunkSize = chunkSize
    }

    /// The next line, or nil at end of input; a final line without a newline counts.
    mutating func next() -> ByteBuffer? {
        while true {
            let length = chunk.withUnsafeReadableBytes { raw -> Int? in
                guard let base = raw.baseAddress, let newline = memchr(base, Int32(UInt8(ascii: "\n")), raw.count) else { return nil }
                return base.distance(to: UnsafeRawPointer(newline))
            }
            if let length {
                var line = chunk.readSlice(length: length)!
                chunk.moveReaderIndex(forwardBy: 1)
                if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
                return line
            }
            if atEOF {
                guard chunk.readableBytes > 0 else { return nil }
                return chunk.readSlice(length: chunk.readableBytes)
            }
            // A fresh chunk that starts with the unfinished line: lines already handed out keep
            // the previous chunk alive, so it is never written to again.
            var next = ByteBufferAllocator().buffer(capacity: chunk.readableBytes + chunkSize)
            next.writeBuffer(&chunk)
            var failure: Int32?
            let count = next.writeWithUnsafeMutableBytes(minimumWritableBytes: chunkSize) { raw in
                while true {
                    let count = read(fileDescriptor, raw.baseAddress!, raw.count)
                    if count >= 0 { return count }
                    if errno != EINTR {
                        failure = errno
                        return 0
                    }
                }
            }
            if count == 0 {
                atEOF = true
                readError = failure
            }
            chunk = next
        }
    }
}
