import Foundation
import NIOCore
@testable import KafkaProtocol

extension ByteBuffer {
    /// A buffer from hex digits; whitespace is ignored.
    init(hex: String) {
        let digits = Array(hex.filter { !$0.isWhitespace })
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index + 1 < digits.count {
            bytes.append(UInt8(String(digits[index...index + 1]), radix: 16)!)
            index += 2
        }
        self.init(bytes: bytes)
    }

    /// The readable bytes as lowercase hex.
    var hex: String {
        readableBytesView.map { String(format: "%02x", $0) }.joined()
    }
}

/// Encodes the records into one batch with the given settings.
func encodeBatch(
    _ records: [Record], compression: CompressionCodec = .none, producerId: Int64 = -1, producerEpoch: Int16 = -1,
    baseSequence: Int32 = -1, isTransactional: Bool = false
) throws -> ByteBuffer {
    var encoder = RecordBatchEncoder(
        compression: compression, producerId: producerId, producerEpoch: producerEpoch,
        baseSequence: baseSequence, isTransactional: isTransactional)
    for record in records { encoder.append(record) }
    return try encoder.encode()
}

/// Sets a batch's base offset as a broker does on append (outside the CRC).
func assignBaseOffset(_ offset: Int64, to batch: inout ByteBuffer) {
    batch.setInteger(offset, at: batch.readerIndex)
}

/// Recomputes a batch's CRC-32C after a test changed bytes it covers.
func reseal(_ batch: inout ByteBuffer) {
    let crc = batch.withUnsafeReadableBytes { raw in
        var c = CRC32C()
        c.update(UnsafeRawBufferPointer(rebasing: raw[21...]))
        return c.value
    }
    batch.setInteger(crc, at: batch.readerIndex + 17)
}

/// A reproducible random sequence (xorshift64*), so a failing fuzz case fails again.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}
