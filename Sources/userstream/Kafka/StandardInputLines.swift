import Foundation
import NIOCore

/// Reads standard input in large chunks and splits it into lines (without the newline),
/// much faster than `readLine()` for millions of records.
struct StandardInputLines {
    private var buffer = [UInt8]()
    private var start = 0
    private var atEOF = false
    private let chunkSize = 1 << 20

    /// The next line, or nil at end of input; a final line without a newline counts.
    mutating func next() -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = buffer[start..<end]
                start = newline + 1
                return line
            }
            if atEOF {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                return line
            }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            let oldCount = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: chunkSize))
            let n = buffer.withUnsafeMutableBytes { raw in
                read(0, raw.baseAddress! + oldCount, chunkSize)
            }
            buffer.removeLast(chunkSize - max(n, 0))
            if n <= 0 { atEOF = true }
        }
    }
}
