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
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        let length = data.count
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: length)
        var iterator = data.makeIterator()
        var remaining = length
        while remaining >= 4 {
            let b0 = UInt32(iterator.next()!), b1 = UInt32(iterator.next()!)
            let b2 = UInt32(iterator.next()!), b3 = UInt32(iterator.next()!)
            var k = b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)
            k &*= m
            k ^= k >> r
            k &*= m
            h &*= m
            h ^= k
            remaining -= 4
        }
        var tail: [UInt32] = []
        while let byte = iterator.next() { tail.append(UInt32(byte)) }
        switch tail.count {
        case 3:
            h ^= tail[2] << 16
            h ^= tail[1] << 8
            h ^= tail[0]
            h &*= m
        case 2:
            h ^= tail[1] << 8
            h ^= tail[0]
            h &*= m
        case 1:
            h ^= tail[0]
            h &*= m
        default:
            break
        }
        h ^= h >> 13
        h &*= m
        h ^= h >> 15
        return h
    }
}
