/// The Java client's default key partitioner: `toPositive(murmur2(key)) % numPartitions`,
/// so a key lands on the same partition whichever client produced it.
public enum Murmur2Partitioner {
    /// The partition for `key` among `partitionCount` partitions.
    @inlinable
    public static func partition<Bytes: Collection>(forKey key: Bytes, partitionCount: Int) -> Int32
    where Bytes.Element == UInt8 {
        precondition(partitionCount > 0, "a topic has at least one partition")
        let positive = murmur2(key) & 0x7fff_ffff
        return Int32(positive % UInt32(partitionCount))
    }

    /// Kafka's 32-bit murmur2 with seed 0x9747b28c.
    @inlinable
    public static func murmur2<Bytes: Collection>(_ data: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        if let hash = data.withContiguousStorageIfAvailable({ murmur2(UnsafeRawBufferPointer($0)) }) { return hash }
        return Array(data).withUnsafeBytes { murmur2($0) }
    }

    /// Kafka's 32-bit murmur2 over raw bytes, four at a time (little-endian words, as the Java client reads them).
    @inlinable
    public static func murmur2(_ data: UnsafeRawBufferPointer) -> UInt32 {
        let m: UInt32 = 0x5bd1_e995
        let length = data.count
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: length)
        var offset = 0
        while length - offset >= 4 {
            var k = UInt32(littleEndian: data.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            k &*= m
            k ^= k >> 24
            k &*= m
            h &*= m
            h ^= k
            offset += 4
        }
        let rest = length - offset
        if rest == 3 { h ^= UInt32(data[offset + 2]) << 16 }
        if rest >= 2 { h ^= UInt32(data[offset + 1]) << 8 }
        if rest >= 1 {
            h ^= UInt32(data[offset])
            h &*= m
        }
        h ^= h >> 13
        h &*= m
        h ^= h >> 15
        return h
    }
}
