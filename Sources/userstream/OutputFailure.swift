import ArgumentParser
import Foundation

/// Standard output refused what was written: a full disk (`> /dev/full`), a pipe whose reader left
/// (SIGPIPE is ignored, as SwiftNIO sets it), a closed descriptor. Whatever comes next could not be
/// printed either, so the command stops at once and exits with `exitCode`.
struct OutputFailure: Error, CustomStringConvertible {
    /// EX_IOERR of sysexits(3), as 64 is its EX_USAGE.
    static let exitCode = ExitCode(74)

    /// The `errno` of the failed write.
    let code: Int32

    var description: String { "cannot write to standard output: \(String(cString: strerror(code)))" }

    /// Writes all of `bytes` to standard output; on failure, `written` is how many went out first.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, written: inout Int) throws(OutputFailure) {
        written = 0
        while written < bytes.count {
            let n = write(STDOUT_FILENO, bytes.baseAddress! + written, bytes.count - written)
            if n > 0 {
                written += n
            } else if n < 0, errno == EINTR {
                continue
            } else {
                throw OutputFailure(code: n < 0 ? errno : EIO)
            }
        }
    }

    /// Writes `text` to standard output, all of it or an error.
    static func writeAll(_ text: String) throws(OutputFailure) {
        var text = text
        var written = 0
        let failure: OutputFailure? = text.withUTF8 { utf8 in
            do throws(OutputFailure) {
                try writeAll(UnsafeRawBufferPointer(utf8), written: &written)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Flushes what `print` buffered; an error if it could not be written (the C library keeps
    /// what a failed write left, so this fails too when a write failed earlier).
    static func flushPrinted() throws(OutputFailure) {
        if fflush(nil) != 0 { throw OutputFailure(code: errno) }
    }
}
