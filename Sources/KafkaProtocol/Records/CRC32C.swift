import CKafkaCompression
import NIOCore

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of record batch v2.
///
/// The checksum runs over every byte a producer writes and a consumer reads, so it uses the
/// processor's crc32 instruction where there is one (x86-64 with SSE 4.2) and otherwise
/// slice-by-8: eight 256-entry tables that let the loop consume eight bytes per step.
public struct CRC32C: Sendable, Hashable {
    /// The checksum of everything fed so far.
    public var value: UInt32 { ~state }

    @usableFromInline
    var state: UInt32 = 0xFFFF_FFFF

    /// A checksum of no bytes.
    public init() {}

    /// Feeds more bytes into the checksum.
    @inlinable
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        state = CRC32C.advance(state, bytes)
    }

    /// Feeds the readable bytes of a buffer into the checksum.
    @inlinable
    public mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { update($0) }
    }

    /// Feeds a byte sequence into the checksum.
    @inlinable
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            let array = Array(bytes)
            array.withUnsafeBytes { update($0) }
        }
    }

    /// The checksum of one buffer's readable bytes.
    @inlinable
    public static func checksum(_ buffer: ByteBuffer) -> UInt32 {
        var crc = CRC32C()
        crc.update(buffer)
        return crc.value
    }

    /// The checksum of a byte sequence.
    @inlinable
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    @usableFromInline
    static func advance(_ start: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return start }
        if hardwareAvailable {
            return kafka_crc32c_hardware(start, base, bytes.count)
        }
        return advanceWithTables(start, bytes)
    }

    /// Whether the processor has a crc32 instruction for CRC-32C.
    static let hardwareAvailable = kafka_crc32c_hardware_available() != 0

    /// The portable slice-by-8 path.
    static func advanceWithTables(_ start: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard var p = bytes.baseAddress, !bytes.isEmpty else { return start }
        var crc = start
        var remaining = bytes.count
        return CRC32C.table.withUnsafeBufferPointer { t -> UInt32 in
            // Align to 8 bytes so the wide loads below are aligned.
            while remaining > 0 && UInt(bitPattern: p) & 7 != 0 {
                crc = t[Int((crc ^ UInt32(p.load(as: UInt8.self))) & 0xFF)] ^ (crc >> 8)
                p += 1
                remaining -= 1
            }
            while remaining >= 8 {
                let word = UInt64(littleEndian: p.load(as: UInt64.self))
                let lo = UInt32(truncatingIfNeeded: word) ^ crc
                let hi = UInt32(truncatingIfNeeded: word >> 32)
                crc = t[7 * 256 + Int(lo & 0xFF)]
                    ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)]
                    ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)]
                    ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)]
                    ^ t[Int(hi >> 24)]
                p += 8
                remaining -= 8
            }
            while remaining > 0 {
                crc = t[Int((crc ^ UInt32(p.load(as: UInt8.self))) & 0xFF)] ^ (crc >> 8)
                p += 1
                remaining -= 1
            }
            return crc
        }
    }

    /// Eight tables of 256 entries: table k advances a byte followed by k zero bytes.
    static let table: [UInt32] = {
        let polynomial: UInt32 = 0x82F6_3B78
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ polynomial : c >> 1 }
            table[n] = c
        }
        for n in 0..<256 {
            var c = table[n]
            for k in 1..<8 {
                c = table[Int(c & 0xFF)] ^ (c >> 8)
                table[k * 256 + n] = c
            }
        }
        return table
    }()
}
