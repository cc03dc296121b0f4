import KafkaProtocol
import NIOCore
import Testing
@testable import Kafka

/// read_committed filtering, checked on Fetch responses built from the message definitions
/// (encoded at v12 and decoded back), since the local broker does not report aborted transactions.
@Suite struct PartitionRecordsTests {
    let tp = TopicPartition(topic: "t", partition: 0)

    /// A batch at `baseOffset` with `values`; transactional for `producerID` when given.
    func batch(baseOffset: Int64, values: [String], producerID: Int64 = -1, control: ControlRecord.Kind? = nil) throws -> ByteBuffer {
        var encoder = RecordBatchEncoder(producerId: producerID, producerEpoch: producerID >= 0 ? 0 : -1,
                                         baseSequence: producerID >= 0 ? 0 : -1, isTransactional: producerID >= 0)
        if let control {
            encoder.append(key: ControlRecord(kind: control).keyBytes, value: ByteBuffer(bytes: [0, 0, 0, 0, 0, 0]), timestamp: 1)
        } else {
            for v in values { encoder.append(key: nil, value: ByteBuffer(string: v), timestamp: 1) }
        }
        var bytes = try encoder.encode()
        bytes.setInteger(baseOffset, at: bytes.readerIndex)
        if control != nil {
            // Mark it a control batch (attribute bit 5) and reseal the CRC over attributes onwards.
            let attributes = bytes.getInteger(at: bytes.readerIndex + 21, as: Int16.self)! | 0x20
            bytes.setInteger(attributes, at: bytes.readerIndex + 21)
            let crc = CRC32C.checksum(bytes.getSlice(at: bytes.readerIndex + 21, length: bytes.readableBytes - 21)!)
            bytes.setInteger(crc, at: bytes.readerIndex + 17)
        }
        return bytes
    }

    func fetchPartition(_ batches: [ByteBuffer], aborted: [(Int64, Int64)]) throws -> FetchResponse.PartitionData {
        var records = ByteBuffer()
        for var b in batches { records.writeBuffer(&b) }
        let response = FetchResponse(responses: [.init(topic: "t", partitions: [.init(
            partitionIndex: 0, highWatermark: 10, lastStableOffset: 10,
            abortedTransactions: aborted.map { .init(producerId: $0.0, firstOffset: $0.1) }, records: records)])])
        var wire = ByteBuffer()
        try response.encode(into: &wire, version: 12)
        return try FetchResponse(from: &wire, version: 12).responses[0].partitions[0]
    }

    func scenario() throws -> FetchResponse.PartitionData {
        // offsets 0-1 plain; 2-3 producer 7 (aborted, marker at 4); 5-6 producer 8 (committed, marker at 7); 8 plain
        try fetchPartition([
            batch(baseOffset: 0, values: ["a", "b"]),
            batch(baseOffset: 2, values: ["aborted-1", "aborted-2"], producerID: 7),
            batch(baseOffset: 4, values: [], producerID: 7, control: .abort),
            batch(baseOffset: 5, values: ["committed-1", "committed-2"], producerID: 8),
            batch(baseOffset: 7, values: [], producerID: 8, control: .commit),
            batch(baseOffset: 8, values: ["c"]),
        ], aborted: [(7, 2)])
    }

    @Test("read_committed skips aborted transactions and control records")
    func readCommitted() throws {
        let (records, next) = try PartitionRecords.decode(scenario(), of: tp, at: 0, isolation: .readCommitted)
        #expect(records.map { String(buffer: $0.value!) } == ["a", "b", "committed-1", "committed-2", "c"])
        #expect(records.map(\.offset) == [0, 1, 5, 6, 8])
        #expect(next == 9)
    }

    @Test("read_uncommitted sees aborted records but never control records")
    func readUncommitted() throws {
        let (records, _) = try PartitionRecords.decode(scenario(), of: tp, at: 0, isolation: .readUncommitted)
        #expect(records.map { String(buffer: $0.value!) } == ["a", "b", "aborted-1", "aborted-2", "committed-1", "committed-2", "c"])
    }

    @Test("records before the fetch position are dropped; the position moves past control batches")
    func positionInsideBatch() throws {
        let (records, next) = try PartitionRecords.decode(scenario(), of: tp, at: 1, isolation: .readCommitted)
        #expect(records.first?.offset == 1)
        #expect(next == 9)
    }
}
