import NIOCore
import Testing
@testable import KafkaProtocol

@Suite struct VarintTests {
    static let vectors: [(Int32, [UInt8])] = [
        (0, [0x00]), (-1, [0x01]), (1, [0x02]), (-64, [0x7F]), (64, [0x80, 0x01]),
        (Int32.max, [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]), (Int32.min, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
    ]

    @Test(arguments: vectors)
    func zigzagVarintBytes(value: Int32, bytes: [UInt8]) throws {
        var buffer = ByteBuffer()
        buffer.writeVarint(value)
        #expect(Array(buffer.readableBytesView) == bytes)
        #expect(try buffer.readVarint() == value)
        #expect(buffer.readableBytes == 0)
    }

    @Test func varlongRoundTripsExtremes() throws {
        for value in [Int64.min, -300, 0, 300, Int64.max] {
            var buffer = ByteBuffer()
            buffer.writeVarlong(value)
            #expect(try buffer.readVarlong() == value)
        }
    }

    @Test func unsignedVarintOf300() throws {
        var buffer = ByteBuffer()
        buffer.writeUnsignedVarint(300)
        #expect(Array(buffer.readableBytesView) == [0xAC, 0x02])
    }

    @Test func truncatedVarintLeavesReaderIndex() throws {
        var buffer = ByteBuffer(bytes: [0x80, 0x80])
        #expect(try buffer.readUnsignedVarint() == nil)
        #expect(buffer.readerIndex == 0)
    }

    @Test func overlongVarintIsMalformed() {
        var buffer = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(throws: KafkaDecodingError.self) { try buffer.readUnsignedVarint() }
    }
}
