import Foundation
import KafkaProtocol
import NIOCore
import Testing

@Suite struct PrimitiveTests {
    func bytes(_ write: (inout ByteBuffer) throws -> Void) rethrows -> [UInt8] {
        var buffer = ByteBuffer()
        try write(&buffer)
        return Array(buffer.readableBytesView)
    }

    @Test func stringsInEveryForm() throws {
        #expect(try bytes { try $0.writeKafkaString("hi", compact: false) } == [0x00, 0x02, 0x68, 0x69])
        #expect(try bytes { try $0.writeKafkaString("hi", compact: true) } == [0x03, 0x68, 0x69])
        #expect(try bytes { try $0.writeKafkaString("", compact: true) } == [0x01])
        #expect(try bytes { try $0.writeKafkaString("", compact: false) } == [0x00, 0x00])
        #expect(try bytes { try $0.writeKafkaNullableString(nil, compact: false) } == [0xFF, 0xFF])
        #expect(try bytes { try $0.writeKafkaNullableString(nil, compact: true) } == [0x00])
        #expect(try bytes { try $0.writeKafkaString("é", compact: true) } == [0x03, 0xC3, 0xA9], "length counts UTF-8 bytes")

        var classic = ByteBuffer(bytes: [0xFF, 0xFF, 0x00, 0x01, 0x41])
        #expect(try classic.readKafkaNullableString(compact: false) == nil)
        #expect(try classic.readKafkaString(compact: false) == "A")
        var compact = ByteBuffer(bytes: [0x00, 0x01, 0x02, 0x42])
        #expect(try compact.readKafkaNullableString(compact: true) == nil)
        #expect(try compact.readKafkaString(compact: true) == "")
        #expect(try compact.readKafkaString(compact: true) == "B")
    }

    @Test func nullWhereNotAllowedIsMalformed() {
        var classic = ByteBuffer(bytes: [0xFF, 0xFF])
        #expect(throws: KafkaDecodingError.self) { try classic.readKafkaString(compact: false) }
        var compact = ByteBuffer(bytes: [0x00])
        #expect(throws: KafkaDecodingError.self) { try compact.readKafkaBytes(compact: true) }
        var array = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: KafkaDecodingError.self) {
            try array.readKafkaArray(compact: false) { (b: inout ByteBuffer) throws(KafkaDecodingError) in try b.readKafkaInteger(as: Int8.self) }
        }
    }

    @Test func classicStringsLongerThanInt16AreRejected() {
        var buffer = ByteBuffer()
        #expect(throws: KafkaEncodingError.stringTooLong(byteCount: 40_000)) {
            try buffer.writeKafkaString(String(repeating: "x", count: 40_000), compact: false)
        }
        #expect(throws: Never.self) { try buffer.writeKafkaString(String(repeating: "x", count: 40_000), compact: true) }
    }

    @Test func bytesInEveryForm() throws {
        let blob = ByteBuffer(bytes: [0x01, 0x02])
        #expect(try bytes { try $0.writeKafkaBytes(blob, compact: false) } == [0x00, 0x00, 0x00, 0x02, 0x01, 0x02])
        #expect(try bytes { try $0.writeKafkaBytes(blob, compact: true) } == [0x03, 0x01, 0x02])
        #expect(try bytes { try $0.writeKafkaNullableBytes(nil, compact: false) } == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try bytes { try $0.writeKafkaNullableBytes(nil, compact: true) } == [0x00])
        var input = ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x00, 0x03, 0x01, 0x02, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try input.readKafkaBytes(compact: false) == ByteBuffer())
        #expect(try input.readKafkaBytes(compact: true) == blob)
        #expect(try input.readKafkaNullableBytes(compact: false) == nil)
    }

    @Test func arraysInEveryForm() throws {
        let writeInt16: (inout ByteBuffer, Int16) throws(KafkaEncodingError) -> Void = { $0.writeInteger($1) }
        #expect(try bytes { try $0.writeKafkaArray([Int16(1)], compact: false, writeInt16) } == [0x00, 0x00, 0x00, 0x01, 0x00, 0x01])
        #expect(try bytes { try $0.writeKafkaArray([Int16](), compact: true, writeInt16) } == [0x01])
        #expect(try bytes { try $0.writeKafkaNullableArray(nil as [Int16]?, compact: true, writeInt16) } == [0x00])
        #expect(try bytes { try $0.writeKafkaNullableArray(nil as [Int16]?, compact: false, writeInt16) } == [0xFF, 0xFF, 0xFF, 0xFF])
        var input = ByteBuffer(bytes: [0x03, 0x00, 0x07, 0x00, 0x08, 0x00])
        let values = try input.readKafkaArray(compact: true) { (b: inout ByteBuffer) throws(KafkaDecodingError) in try b.readKafkaInteger(as: Int16.self) }
        #expect(values == [7, 8])
        #expect(try input.readKafkaNullableArray(compact: true) { (b: inout ByteBuffer) throws(KafkaDecodingError) in try b.readKafkaBool() } == nil)
    }

    @Test func fixedWidthValues() throws {
        let id = UUID(uuidString: "00112233-4455-6677-8899-AABBCCDDEEFF")!
        let written = bytes {
            $0.writeKafkaUUID(id)
            $0.writeKafkaBool(true)
            $0.writeKafkaFloat64(1.5)
            $0.writeInteger(UInt16(0xBEEF))
        }
        #expect(written == [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF,
                            0x01, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0, 0xBE, 0xEF])
        var input = ByteBuffer(bytes: written)
        #expect(try input.readKafkaUUID() == id)
        #expect(try input.readKafkaBool())
        #expect(try input.readKafkaFloat64() == 1.5)
        #expect(try input.readKafkaInteger(as: UInt16.self) == 0xBEEF)
        var nonZero = ByteBuffer(bytes: [0x02])
        #expect(try nonZero.readKafkaBool(), "any non-zero byte is true")
        #expect(UUID.zero.uuidString == "00000000-0000-0000-0000-000000000000")
    }

    @Test func taggedFieldsWriteInOrderAndSkipUnknown() throws {
        let written = try bytes {
            try $0.writeKafkaTaggedFields([
                KafkaTaggedField(tag: 0, value: ByteBuffer(bytes: [0x01])),
                KafkaTaggedField(tag: 200, value: ByteBuffer(bytes: [0x02, 0x03])),
            ])
        }
        #expect(written == [0x02, 0x00, 0x01, 0x01, 0xC8, 0x01, 0x02, 0x02, 0x03])
        var input = ByteBuffer(bytes: written + [0x99])
        try input.skipKafkaTaggedFields()
        #expect(Array(input.readableBytesView) == [0x99])
    }
}
