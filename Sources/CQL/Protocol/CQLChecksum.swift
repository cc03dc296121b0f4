/// The two checksums of v5 segments (section 2.1 of the v5 spec).
public enum CQLChecksum {
    /// CRC24 of a segment header: initial value 0x875060, polynomial 0x1974F0B,
    /// fed the header's bytes least significant first (the header is a little-endian integer).
    public static func crc24(header: UInt64, byteCount: Int) -> UInt32 {
        var crc: UInt32 = 0x875060
        var data = header
        for _ in 0..<byteCount {
            crc ^= UInt32(data & 0xFF) << 16
            data >>= 8
            for _ in 0..<8 {
                crc <<= 1
                if crc & 0x100_0000 != 0 { crc ^= 0x197_4F0B }
            }
        }
        return crc & 0xFF_FFFF
    }

    /// CRC32 of a segment payload. Cassandra seeds the standard CRC-32 (zlib's) with the
    /// four bytes FA 2D 55 CA before the payload; the spec text leaves this out, the server does it.
    public static func crc32(payload: some Sequence<UInt8>) -> UInt32 {
        var crc = crc32Update(0xFFFF_FFFF, [0xFA, 0x2D, 0x55, 0xCA])
        crc = crc32Update(crc, payload)
        return ~crc
    }

    /// The plain CRC-32 (IEEE, reflected 0xEDB88320) of `bytes`, as zlib's `crc32` computes it.
    public static func plainCRC32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        ~crc32Update(0xFFFF_FFFF, bytes)
    }

    private static func crc32Update(_ start: UInt32, _ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc = start
        for byte in bytes {
            crc = crc32Table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc
    }

    private static let crc32Table: [UInt32] = (0..<256).map { index -> UInt32 in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 != 0 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
        }
        return value
    }
}
