import Kafka
import RecordJSONLines

/// Buffered writes to standard output, counting the records that went out whole.
struct StandardOutput: ~Copyable {
    private var buffer = JSONLineBuffer()
    /// Records in the buffer, not written yet.
    private var buffered = 0
    /// Records written out whole so far.
    private(set) var printed = 0

    mutating func append(_ record: ConsumerRecord) throws(OutputFailure) {
        buffer.append(record)
        buffered += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Writes the buffer; when standard output refuses part of it, counts the records before the
    /// failure (each is one line: those whose newline went out) and throws.
    mutating func flush() throws(OutputFailure) {
        guard !buffer.isEmpty else { return }
        defer {
            buffer.removeAll()
            buffered = 0
        }
        let (failure, whole): (OutputFailure?, Int) = buffer.withBytes { raw in
            var written = 0
            do throws(OutputFailure) {
                try OutputFailure.writeAll(raw, written: &written)
                return (nil, 0)
            } catch {
                return (error, raw.prefix(written).count(where: { $0 == UInt8(ascii: "\n") }))
            }
        }
        if let failure {
            printed += whole
            throw failure
        }
        printed += buffered
    }
}
