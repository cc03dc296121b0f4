import NIOCore
import Testing
@testable import KafkaProtocol

@Suite struct CRC32CTests {
    @Test func checkValueOfTheDigitsOneToNine() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func emptyInputChecksumsToZero() {
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    /// RFC 3720 appendix B.4 (the CRC bytes there are little-endian).
    @Test func rfc3720Vectors() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
        let readCommand: [UInt8] = [
            0x01, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
            0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ]
        #expect(CRC32C.checksum(readCommand) == 0xD996_3A56)
    }

    /// Both the table path and the instruction path (where the processor has one), with their
    /// alignment prologues and tails, must agree with a bit-at-a-time reference for every length
    /// and starting alignment.
    @Test func bothPathsMatchBitwiseReferenceAtEveryAlignment() {
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        for start in 0..<9 {
            for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 200, 291 - start] {
                let slice = Array(bytes[start..<(start + length)])
                let expected = Self.bitwise(slice)
                #expect(CRC32C.checksum(slice) == expected, "start \(start) length \(length)")
                bytes.withUnsafeBytes { raw in
                    let region = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    #expect(~CRC32C.advanceWithTables(0xFFFF_FFFF, region) == expected, "tables, start \(start) length \(length)")
                }
            }
        }
    }

    @Test func tablePathPassesTheCheckValue() {
        let digits = Array("123456789".utf8)
        digits.withUnsafeBytes { #expect(~CRC32C.advanceWithTables(0xFFFF_FFFF, $0) == 0xE306_9283) }
    }

    @Test func incrementalUpdatesEqualOneShot() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var crc = CRC32C()
        crc.update(bytes[0..<3])
        crc.update(bytes[3..<500])
        crc.update(ByteBuffer(bytes: bytes[500...]))
        #expect(crc.value == CRC32C.checksum(bytes))
    }

    static func bitwise(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }
}
