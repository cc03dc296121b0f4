import Foundation
import Kafka
import KafkaProtocol
import NIOCore
import UserPipeline

/// Renders consumed records as the JSON lines `userstream kafka consume` prints:
/// {"topic","partition","offset","timestamp","key","value","headers"}; bytes that are not UTF-8
/// become null plus "key_base64"/"value_base64".
enum ConsumerRecordJSON {
    static func append(_ record: ConsumerRecord, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"topic":"#.utf8)
        JSONTextWriter.appendString(record.topic, to: &out)
        out.append(contentsOf: #","partition":"#.utf8)
        out.append(contentsOf: String(record.partition).utf8)
        out.append(contentsOf: #","offset":"#.utf8)
        out.append(contentsOf: String(record.offset).utf8)
        out.append(contentsOf: #","timestamp":"#.utf8)
        out.append(contentsOf: String(record.timestamp).utf8)
        appendBytesField("key", record.key, to: &out)
        appendBytesField("value", record.value, to: &out)
        out.append(contentsOf: #","headers":["#.utf8)
        for (i, header) in record.headers.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            JSONTextWriter.appendString(header.key, to: &out)
            out.append(UInt8(ascii: ","))
            if let value = header.value, isUTF8(value) {
                value.withUnsafeReadableBytes { JSONTextWriter.appendString(utf8: $0, to: &out) }
            } else {
                out.append(contentsOf: "null".utf8)
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(contentsOf: "]}\n".utf8)
    }

    private static func appendBytesField(_ name: String, _ bytes: ByteBuffer?, to out: inout [UInt8]) {
        out.append(contentsOf: ",\"\(name)\":".utf8)
        guard let bytes else {
            out.append(contentsOf: "null".utf8)
            return
        }
        if isUTF8(bytes) {
            bytes.withUnsafeReadableBytes { JSONTextWriter.appendString(utf8: $0, to: &out) }
        } else {
            out.append(contentsOf: "null,\"\(name)_base64\":\"".utf8)
            out.append(contentsOf: Data(bytes.readableBytesView).base64EncodedString().utf8)
            out.append(UInt8(ascii: "\""))
        }
    }

    private static func isUTF8(_ bytes: ByteBuffer) -> Bool {
        bytes.withUnsafeReadableBytes { raw in
            // Fast path: plain ASCII.
            if !raw.contains(where: { $0 >= 0x80 }) { return true }
            return String(validating: raw, as: UTF8.self) != nil
        }
    }
}

/// Buffered writes to standard output.
struct StandardOutput {
    private(set) var buffer: [UInt8] = []

    mutating func append(_ record: ConsumerRecord) {
        ConsumerRecordJSON.append(record, to: &buffer)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(1, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
