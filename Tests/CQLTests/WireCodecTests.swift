import Foundation
import NIOCore
import Testing
@testable import CQL
import CQLTestSupport

/// Byte layouts from the native protocol specs (v4 sections 2-3, 6; v5 section 2).
@Suite("Wire codecs")
struct WireCodecTests {
    func bytes(_ write: (inout ByteBuffer) -> Void) -> [UInt8] {
        var buffer = ByteBuffer()
        write(&buffer)
        return Array(buffer.readableBytesView)
    }

    @Test("frame header: version with direction bit, flags, stream, opcode, length")
    func frameHeader() throws {
        let header = CQLFrameHeader(version: 4, isResponse: false, flags: [.tracing], stream: 0x0102, opcode: .query, bodyLength: 0x0A0B0C0D)
        #expect(bytes { $0.writeCQLFrameHeader(header) } == [0x04, 0x02, 0x01, 0x02, 0x07, 0x0A, 0x0B, 0x0C, 0x0D])
        var response = ByteBuffer(bytes: [0x84, 0x08, 0xFF, 0xFF, 0x0C, 0, 0, 0, 0])
        let header0 = response.readCQLFrameHeader()
        let decoded = try #require(header0)
        #expect(decoded.isResponse && decoded.version == 4 && decoded.stream == -1 && decoded.opcode == .event && decoded.flags == [.warning])
    }

    @Test("frame decoder waits for a whole frame and consumes exactly one")
    func frameDecoderPartial() throws {
        let frame = CQLResponseWriter.setKeyspace("ks", stream: 3, version: .v4)
        let whole = CQLResponseWriter.bytes(frame)
        var buffer = ByteBuffer(bytes: whole.dropLast())
        let none = try CQLFrameDecoder().decode(&buffer)
        #expect(none == nil)
        #expect(buffer.readableBytes == whole.count - 1)
        buffer = ByteBuffer(bytes: whole + whole)
        let first = try CQLFrameDecoder().decode(&buffer)
        #expect(first?.header.stream == 3)
        #expect(buffer.readableBytes == whole.count)
    }

    @Test("a compressed v4 frame is rejected with a clear error")
    func compressedFrameRejected() {
        let buffer = ByteBuffer(bytes: [0x84, 0x01, 0, 1, 0x08, 0, 0, 0, 0])
        let error = #expect(throws: CQLError.self) { var copy = buffer; _ = try CQLFrameDecoder().decode(&copy) }
        #expect("\(error!)".contains("compress"))
    }

    @Test("a non-CQL peer is rejected by version")
    func wrongVersionRejected() {
        let buffer = ByteBuffer(bytes: Array("HTTP/1.1 400 Bad".utf8))
        #expect(throws: CQLError.self) { var copy = buffer; _ = try CQLFrameDecoder().decode(&copy) }
    }

    @Test("[string], [long string], [bytes], [short bytes], [string list], [string map]")
    func notations() throws {
        #expect(bytes { $0.writeCQLString("ab") } == [0, 2, 0x61, 0x62])
        #expect(bytes { $0.writeCQLLongString("ab") } == [0, 0, 0, 2, 0x61, 0x62])
        #expect(bytes { $0.writeCQLBytes(nil) } == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(bytes { $0.writeCQLBytes([9]) } == [0, 0, 0, 1, 9])
        #expect(bytes { $0.writeCQLShortBytes([9, 8]) } == [0, 2, 9, 8])
        #expect(bytes { $0.writeCQLStringList(["a", "b"]) } == [0, 2, 0, 1, 0x61, 0, 1, 0x62])
        #expect(bytes { $0.writeCQLStringMap([("k", "v")]) } == [0, 1, 0, 1, 0x6B, 0, 1, 0x76])
        var buffer = ByteBuffer(bytes: [0, 1, 0, 1, 0x6B, 0, 2, 0, 1, 0x61, 0, 1, 0x62])
        let multimap = buffer.readCQLStringMultimap()
        #expect(multimap == ["k": ["a", "b"]])
        var truncated = ByteBuffer(bytes: [0, 5, 0x61])
        let cut = truncated.readCQLString()
        #expect(cut == nil)
    }

    @Test("[value] null and unset, [consistency], [inet]")
    func valuesConsistencyInet() throws {
        #expect(bytes { $0.writeCQLValue(.null) } == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(bytes { $0.writeCQLValue(.unset) } == [0xFF, 0xFF, 0xFF, 0xFE])
        #expect(bytes { $0.writeCQLConsistency(.localOne) } == [0x00, 0x0A])
        #expect(bytes { $0.writeCQLInet(CQLInetAddress("127.0.0.1")!, port: 9042) } == [4, 127, 0, 0, 1, 0, 0, 0x23, 0x52])
        var buffer = ByteBuffer(bytes: [16] + [UInt8](repeating: 0, count: 15) + [1] + [0, 0, 0x23, 0x52])
        let inet0 = buffer.readCQLInet()
        let inet = try #require(inet0)
        #expect(inet.address.description == "::1" && inet.port == 9042)
    }

    @Test("varint edge cases from the spec's table", arguments: [
        (Int64(0), [UInt8(0x00)]), (1, [0x01]), (127, [0x7F]), (128, [0x00, 0x80]), (129, [0x00, 0x81]),
        (-1, [0xFF]), (-128, [0x80]), (-129, [0xFF, 0x7F]),
        (Int64.max, [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), (Int64.min, [0x80, 0, 0, 0, 0, 0, 0, 0]),
    ] as [(Int64, [UInt8])])
    func varint(value: Int64, encoding: [UInt8]) throws {
        #expect(CQLVarint(value).bytes == encoding)
        #expect(CQLVarint(bytes: encoding).int64Value == value)
        #expect(CQLVarint(String(value))?.bytes == encoding)
    }

    @Test("varints beyond 64 bits round-trip through decimal text")
    func bigVarint() {
        for text in ["18446744073709551616", "-18446744073709551617", "123456789012345678901234567890", "-9223372036854775809"] {
            #expect(CQLVarint(text)?.description == text)
        }
        #expect(CQLVarint(bytes: [0x00, 0x00, 0x80]).bytes == [0x00, 0x80])  // redundant sign bytes dropped
        #expect(CQLVarint("12a") == nil)
    }

    @Test("decimal: [int] scale then varint unscaled value")
    func decimal() throws {
        let value = try #require(CQLDecimal("-1.05"))
        #expect(value.unscaled.int64Value == -105 && value.scale == 2)
        #expect(bytes { $0.writeCQLValueContent(.decimal(value)) } == [0, 0, 0, 2, 0x97])  // -105 fits one byte
        #expect(CQLDecimal("1e3")?.description == "1000")
        #expect(CQLDecimal("0.001")?.description == "0.001")
        #expect(CQLDecimal("1.5E-7")?.scale == 8)
        var buffer = ByteBuffer(bytes: [0, 0, 0, 3, 0x30, 0x39])
        let slice = buffer.readSlice(length: 6)
        #expect(try CQLValue.decode(slice, as: .decimal) == .decimal(CQLDecimal(unscaled: 12345, scale: 3)))
    }

    @Test("fixed-width types, date centred at 2^31, boolean, float")
    func fixedWidth() throws {
        #expect(bytes { $0.writeCQLValueContent(.date(0)) } == [0x80, 0, 0, 0])
        #expect(bytes { $0.writeCQLValueContent(.date(-1)) } == [0x7F, 0xFF, 0xFF, 0xFF])
        #expect(bytes { $0.writeCQLValueContent(.boolean(true)) } == [1])
        #expect(bytes { $0.writeCQLValueContent(.float(1)) } == [0x3F, 0x80, 0, 0])
        #expect(bytes { $0.writeCQLValueContent(.smallint(-2)) } == [0xFF, 0xFE])
        #expect(try CQLValue.decode(ByteBuffer(bytes: [0x80, 0, 0, 1]), as: .date) == .date(1))
        #expect(throws: CQLError.self) { try CQLValue.decode(ByteBuffer(bytes: [1, 2, 3]), as: .int) }
        #expect(try CQLValue.decode(ByteBuffer(), as: .int) == .null)  // legacy empty value
        #expect(try CQLValue.decode(nil, as: .text) == .null)
    }

    @Test("duration uses zig-zag vints")
    func duration() throws {
        let value = CQLValue.duration(months: 1, days: -2, nanoseconds: 300)
        let encoded = bytes { $0.writeCQLValueContent(value) }
        #expect(encoded == [0x02, 0x03, 0x82, 0x58])
        #expect(try CQLValue.decode(ByteBuffer(bytes: encoded), as: .duration) == value)
    }

    @Test("collections: [int] count then [bytes] elements")
    func collections() throws {
        let list = CQLValue.list([.int(1), .null])
        let encoded = bytes { $0.writeCQLValueContent(list) }
        #expect(encoded == [0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try CQLValue.decode(ByteBuffer(bytes: encoded), as: .list(.int)) == list)
        let map = CQLValue.map([CQLMapEntry(key: .text("a"), value: .bigint(2))])
        #expect(try CQLValue.decode(ByteBuffer(bytes: bytes { $0.writeCQLValueContent(map) }), as: .map(.text, .bigint)) == map)
    }

    @Test("[option] types round-trip, including nested collections, tuples and UDTs")
    func dataTypes() throws {
        let types: [CQLDataType] = [.ascii, .text, .timestamp, .list(.map(.text, .set(.uuid))), .tuple([.int, .date]),
                                    .udt(keyspace: "ks", name: "address", fields: [CQLUDTField(name: "city", type: .text)]), .custom("a.B")]
        for type in types {
            var buffer = ByteBuffer()
            buffer.writeCQLDataType(type)
            #expect(try buffer.readCQLDataType() == type)
        }
        #expect(bytes { $0.writeCQLDataType(.map(.text, .int)) } == [0, 0x21, 0, 0x0D, 0, 0x09])
    }

    @Test("CRC24 of segment headers and CRC32 of payloads (vectors computed with zlib and the spec's CRC24 parameters)")
    func checksums() {
        #expect(CQLChecksum.plainCRC32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CQLChecksum.crc32(payload: []) == 0x4477_7ED3)
        #expect(CQLChecksum.crc32(payload: Array("hello".utf8)) == 0xB60E_8074)
        #expect(CQLChecksum.crc24(header: 0x02_0000, byteCount: 3) == 0xC4_366A)
        #expect(CQLChecksum.crc24(header: 0x02_0005, byteCount: 3) == 0x9A_9919)
        #expect(CQLChecksum.crc24(header: 0x01_FFFF, byteCount: 3) == 0xFE_9138)
    }

    @Test("segments: self-contained flag, little-endian header, corrupted checksums rejected")
    func segments() throws {
        var out = ByteBuffer()
        CQLSegmentEncoder().encode(envelopes: ByteBuffer(bytes: Array("hello".utf8)), into: &out)
        let encoded = Array(out.readableBytesView)
        #expect(encoded == [0x05, 0x00, 0x02, 0x19, 0x99, 0x9A] + Array("hello".utf8) + [0x74, 0x80, 0x0E, 0xB6])
        var input = ByteBuffer(bytes: encoded)
        let segment0 = try CQLSegmentDecoder().decode(&input)
        let segment = try #require(segment0)
        #expect(segment.isSelfContained && Array(segment.payload.readableBytesView) == Array("hello".utf8))
        for index in [1, 7] {
            var corrupted = encoded
            corrupted[index] ^= 0x01
            let buffer = ByteBuffer(bytes: corrupted)
            #expect(throws: CQLError.self) { var copy = buffer; _ = try CQLSegmentDecoder().decode(&copy) }
        }
        var partial = ByteBuffer(bytes: encoded.dropLast())
        let partialSegment = try CQLSegmentDecoder().decode(&partial)
        #expect(partialSegment == nil)
    }

    @Test("a message over 128 KiB spans several non-self-contained segments")
    func largeMessage() throws {
        let payload = (0..<300_000).map { UInt8($0 % 256) }
        var out = ByteBuffer()
        CQLSegmentEncoder().encode(envelopes: ByteBuffer(bytes: payload), into: &out)
        var reassembled: [UInt8] = []
        var count = 0
        while let segment = try CQLSegmentDecoder().decode(&out) {
            #expect(!segment.isSelfContained)
            reassembled += segment.payload.readableBytesView
            count += 1
        }
        #expect(count == 3 && reassembled == payload)
    }
}
