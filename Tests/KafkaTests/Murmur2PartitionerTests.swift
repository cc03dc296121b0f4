import Testing
@testable import Kafka

/// Vectors computed with kafka-python's `kafka.partitioner.default.murmur2`, the same
/// function as the Java client's `Utils.murmur2`.
@Suite struct Murmur2PartitionerTests {
    static let vectors: [(key: [UInt8], hash: UInt32, of6: Int32, of7: Int32)] = [
        (Array("".utf8), 275_646_681, 3, 2),
        (Array("a".utf8), 2_731_586_172, 4, 5),
        (Array("ab".utf8), 316_155_434, 2, 0),
        (Array("abc".utf8), 479_470_107, 3, 4),
        (Array("user-1".utf8), 1_404_122_828, 2, 3),
        (Array("hello world".utf8), 1_221_641_059, 1, 2),
        (Array("0123456789".utf8), 3_663_263_656, 2, 1),
        (Array(0..<37), 74_000_851, 1, 1),
    ]

    @Test("murmur2 matches the Java client's hash", arguments: 0..<vectors.count)
    func hashMatchesJava(index: Int) {
        let vector = Self.vectors[index]
        #expect(Murmur2Partitioner.murmur2(vector.key) == vector.hash)
        #expect(Murmur2Partitioner.murmur2(vector.key.lazy.map { $0 }) == vector.hash, "a collection without contiguous storage")
    }

    @Test("keys land on the partition the Java client chooses", arguments: 0..<vectors.count)
    func partitionMatchesJava(index: Int) {
        let vector = Self.vectors[index]
        #expect(Murmur2Partitioner.partition(forKey: vector.key, partitionCount: 6) == vector.of6)
        #expect(Murmur2Partitioner.partition(forKey: vector.key, partitionCount: 7) == vector.of7)
    }

    @Test("sticky partitioning keeps a partition until its batch closes, then moves")
    func stickyPartitioner() {
        var sticky = StickyPartitioner()
        let first = sticky.partition(topic: "t", partitionCount: 4)
        #expect(sticky.partition(topic: "t", partitionCount: 4) == first)
        sticky.batchCompleted(topic: "t", partition: first, partitionCount: 4)
        let second = sticky.partition(topic: "t", partitionCount: 4)
        #expect(second != first)
        #expect((0..<4).contains(second))
    }
}
