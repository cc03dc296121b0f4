import Foundation
import Kafka
import KafkaProtocol
import NIOCore
import UserContract

/// Renders consumed records as JSON lines:
/// {"topic","partition","offset","timestamp","key","value","headers"}; bytes that are not UTF-8
/// become null plus "key_base64"/"value_base64" (header values that are not UTF-8 become null).
///
/// Each record is written in one pass: the buffer reserves the most the record can take, then the
/// bytes are written through a pointer. Escaping goes through a 256-entry table and copies runs that
/// need no escape in one go; UTF-8 is checked only from the first byte ≥ 0x80, while escaping, and an
/// ill-formed field is rewound and written again as null (plus base64 for the key and value).
public struct JSONLineBuffer: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    public private(set) var count = 0
    /// `{"topic":"<topic>","partition":` for the last topic seen.
    private var topicPrefix: [UInt8] = []
    private var prefixTopic: String?

    public init(capacity: Int = 1 << 17) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    public var isEmpty: Bool { count == 0 }

    public mutating func removeAll() { count = 0 }

    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    private mutating func reserve(_ extra: Int) {
        let needed = count + extra
        guard needed > capacity else { return }
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: storage, count: count)
        storage.deallocate()
        storage = grown
        capacity = newCapacity
    }

    // Field names and punctuation, as bytes.
    private static let offsetName: StaticString = #","offset":"#
    private static let timestampName: StaticString = #","timestamp":"#
    private static let keyName: StaticString = #","key":"#
    private static let valueName: StaticString = #","value":"#
    private static let keyBase64Name: StaticString = #"null,"key_base64":""#
    private static let valueBase64Name: StaticString = #"null,"value_base64":""#
    private static let headersName: StaticString = #","headers":["#
    private static let null: StaticString = "null"
    private static let end: StaticString = "]}\n"

    /// Fixed bytes of a record, apart from the topic prefix and the variable parts; generously rounded up.
    private static let fixedBytes = 256
    /// Fixed bytes of a header, apart from its key and value.
    private static let headerFixedBytes = 16

    public mutating func append(_ record: ConsumerRecord) {
        if prefixTopic != record.topic { makeTopicPrefix(record.topic) }
        let keyCount = record.key?.readableBytes ?? 0
        let valueCount = record.value?.readableBytes ?? 0
        var bound = Self.fixedBytes + topicPrefix.count
            + JSONTextWriter.maxEscapedCount(keyCount) + JSONTextWriter.maxEscapedCount(valueCount)
        for header in record.headers {
            bound += Self.headerFixedBytes + JSONTextWriter.maxEscapedCount(header.key.utf8.count)
                + JSONTextWriter.maxEscapedCount(header.value?.readableBytes ?? 0)
        }
        reserve(bound)

        let start = storage + count
        let end = topicPrefix.withUnsafeBufferPointer { prefix in
            JSONTextWriter.validatingEscapeTable.withUnsafeBufferPointer { validating in
                JSONTextWriter.escapeTable.withUnsafeBufferPointer { plain in
                    Self.write(record, prefix: prefix, validating: validating, plain: plain, at: start)
                }
            }
        }
        count += end - start
    }

    private static func write(_ record: ConsumerRecord, prefix: UnsafeBufferPointer<UInt8>, validating: UnsafeBufferPointer<UInt8>,
                              plain: UnsafeBufferPointer<UInt8>, at start: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var out = start
        out.write(prefix)
        out.writeDecimal(Int64(record.partition))
        out.write(offsetName)
        out.writeDecimal(record.offset)
        out.write(timestampName)
        out.writeDecimal(record.timestamp)
        out.write(keyName)
        writeBytesField(record.key, base64Name: keyBase64Name, table: validating, to: &out)
        out.write(valueName)
        writeBytesField(record.value, base64Name: valueBase64Name, table: validating, to: &out)
        out.write(headersName)
        for (i, header) in record.headers.enumerated() {
            if i > 0 { out.write(UInt8(ascii: ",")) }
            out.write(UInt8(ascii: "["))
            var key = header.key
            key.withUTF8 { _ = writeQuoted(UnsafeRawBufferPointer($0), table: plain, to: &out) }
            out.write(UInt8(ascii: ","))
            if let value = header.value {
                let written = value.withUnsafeReadableBytes { writeQuoted($0, table: validating, to: &out) }
                if !written { out.write(null) }
            } else {
                out.write(null)
            }
            out.write(UInt8(ascii: "]"))
        }
        out.write(end)
        return out
    }

    private mutating func makeTopicPrefix(_ topic: String) {
        var prefix: [UInt8] = []
        prefix.append(contentsOf: #"{"topic":"#.utf8)
        JSONTextWriter.appendString(topic, to: &prefix)
        prefix.append(contentsOf: #","partition":"#.utf8)
        topicPrefix = prefix
        prefixTopic = topic
    }

    /// A key or value: a JSON string if the bytes are UTF-8, else null plus `<name>_base64`.
    private static func writeBytesField(_ bytes: ByteBuffer?, base64Name: StaticString, table: UnsafeBufferPointer<UInt8>,
                                        to out: inout UnsafeMutablePointer<UInt8>) {
        guard let bytes else {
            out.write(null)
            return
        }
        bytes.withUnsafeReadableBytes { raw in
            if writeQuoted(raw, table: table, to: &out) { return }
            out.write(base64Name)
            out.writeBase64(raw)
            out.write(UInt8(ascii: "\""))
        }
    }

    /// Writes `bytes` as a quoted JSON string and returns true, or writes nothing and returns false if
    /// the table checks UTF-8 and the bytes are not.
    private static func writeQuoted(_ bytes: UnsafeRawBufferPointer, table: UnsafeBufferPointer<UInt8>,
                                    to out: inout UnsafeMutablePointer<UInt8>) -> Bool {
        guard let written = JSONTextWriter.writeEscaped(bytes, table: table, to: out + 1) else { return false }
        out[0] = UInt8(ascii: "\"")
        out[written + 1] = UInt8(ascii: "\"")
        out += written + 2
        return true
    }
}

private let base64Alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

extension UnsafeMutablePointer<UInt8> {
    @inline(__always) fileprivate mutating func write(_ byte: UInt8) {
        self[0] = byte
        self += 1
    }

    @inline(__always) fileprivate mutating func write(_ text: StaticString) {
        update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        self += text.utf8CodeUnitCount
    }

    @inline(__always) fileprivate mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        update(from: base, count: bytes.count)
        self += bytes.count
    }

    /// ASCII digits of `value`, with a leading `-` if negative (what `String(value)` gives).
    fileprivate mutating func writeDecimal(_ value: Int64) {
        var magnitude = value.magnitude
        if value < 0 { write(UInt8(ascii: "-")) }
        var digits = 1
        var rest = magnitude / 10
        while rest != 0 { digits += 1; rest /= 10 }
        var index = digits - 1
        repeat {
            self[index] = 0x30 + UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
            index -= 1
        } while magnitude != 0
        self += digits
    }

    /// Standard base64 with padding, no line breaks (what `Data.base64EncodedString()` gives).
    fileprivate mutating func writeBase64(_ bytes: UnsafeRawBufferPointer) {
        base64Alphabet.withUnsafeBufferPointer { alphabet in
            let count = bytes.count
            var i = 0
            while i + 3 <= count {
                let chunk = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
                self[0] = alphabet[Int(chunk >> 18 & 0x3F)]
                self[1] = alphabet[Int(chunk >> 12 & 0x3F)]
                self[2] = alphabet[Int(chunk >> 6 & 0x3F)]
                self[3] = alphabet[Int(chunk & 0x3F)]
                self += 4
                i += 3
            }
            let left = count - i
            if left > 0 {
                let chunk = UInt32(bytes[i]) << 16 | (left == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
                self[0] = alphabet[Int(chunk >> 18 & 0x3F)]
                self[1] = alphabet[Int(chunk >> 12 & 0x3F)]
                self[2] = left == 2 ? alphabet[Int(chunk >> 6 & 0x3F)] : UInt8(ascii: "=")
                self[3] = UInt8(ascii: "=")
                self += 4
            }
        }
    }
}
