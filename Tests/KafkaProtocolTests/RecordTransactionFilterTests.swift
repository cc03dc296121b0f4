import NIOCore
import Testing
@testable import KafkaProtocol

@Suite struct RecordTransactionFilterTests {
    typealias Aborted = TransactionalRecordFilter.AbortedTransaction

    /// A data batch of `count` records at `offset`, written by `producerId`.
    static func data(_ offset: Int64, producer producerId: Int64, count: Int = 1, transactional: Bool = true) throws -> RecordBatch {
        let records = (0..<count).map { i in
            Record(timestamp: 1000, key: nil, value: ByteBuffer(string: "p\(producerId)@\(offset + Int64(i))"))
        }
        var bytes = try encodeBatch(records, producerId: producerId, producerEpoch: 0, baseSequence: 0, isTransactional: transactional)
        assignBaseOffset(offset, to: &bytes)
        return try #require(try RecordBatchDecoder().decodeBatches(bytes).first)
    }

    /// A transaction marker batch at `offset` for `producerId`.
    static func marker(_ offset: Int64, producer producerId: Int64, _ kind: ControlRecord.Kind) throws -> RecordBatch {
        let key = ControlRecord(kind: kind).keyBytes
        var bytes = try encodeBatch([Record(timestamp: 1000, key: key, value: ByteBuffer(bytes: [0, 0, 0, 0, 0, 0]))],
                                    producerId: producerId, producerEpoch: 0, isTransactional: true)
        bytes.setInteger(Int16(0x30), at: 21)  // transactional + control
        reseal(&bytes)
        assignBaseOffset(offset, to: &bytes)
        return try #require(try RecordBatchDecoder().decodeBatches(bytes).first)
    }

    static func values(_ records: [Record]) -> [String] {
        records.map { String(buffer: $0.value!) }
    }

    @Test func markersDecodeAsControlRecords() throws {
        #expect(try Self.marker(5, producer: 1, .abort).controlRecord == ControlRecord(version: 0, kind: .abort))
        #expect(try Self.marker(5, producer: 1, .commit).controlRecord?.kind == .commit)
        #expect(try Self.data(5, producer: 1).controlRecord == nil)
    }

    /// Producers 1 and 2 interleave; 1 aborts its first transaction and commits its second,
    /// 2 commits, 3 is a plain (non-transactional) idempotent producer.
    @Test func interleavedProducersHideOnlyAbortedTransactions() throws {
        let batches = [
            try Self.data(0, producer: 1, count: 2),        // 0-1: p1 txn A (aborted)
            try Self.data(2, producer: 2),                  // 2: p2 txn (committed)
            try Self.data(3, producer: 3, transactional: false),
            try Self.data(4, producer: 1),                  // 4: p1 txn A (aborted)
            try Self.marker(5, producer: 1, .abort),        // 5: end of p1 txn A
            try Self.data(6, producer: 2),                  // 6: p2 txn (committed)
            try Self.marker(7, producer: 2, .commit),
            try Self.data(8, producer: 1),                  // 8: p1 txn B (committed)
            try Self.marker(9, producer: 1, .commit),
        ]
        let visible = TransactionalRecordFilter.committedRecords(
            in: batches, abortedTransactions: [Aborted(producerId: 1, firstOffset: 0)])
        #expect(Self.values(visible) == ["p2@2", "p3@3", "p2@6", "p1@8"])
        #expect(visible.map(\.offset) == [2, 3, 6, 8])
        let uncommitted = TransactionalRecordFilter.uncommittedRecords(in: batches)
        #expect(uncommitted.map(\.offset) == [0, 1, 2, 3, 4, 6, 8])
    }

    @Test func abortedTransactionStartsAtItsFirstOffset() throws {
        // p1 commits a transaction at 0-1, then aborts one that starts at 2.
        let batches = [
            try Self.data(0, producer: 1), try Self.marker(1, producer: 1, .commit),
            try Self.data(2, producer: 1), try Self.data(3, producer: 1), try Self.marker(4, producer: 1, .abort),
            try Self.data(5, producer: 1), try Self.marker(6, producer: 1, .commit),
        ]
        let visible = TransactionalRecordFilter.committedRecords(in: batches, abortedTransactions: [Aborted(producerId: 1, firstOffset: 2)])
        #expect(visible.map(\.offset) == [0, 5])
    }

    @Test func abortedTransactionBeginningInsideABatchHidesThatBatch() throws {
        let batches = [try Self.data(10, producer: 4, count: 5), try Self.marker(15, producer: 4, .abort)]
        let visible = TransactionalRecordFilter.committedRecords(in: batches, abortedTransactions: [Aborted(producerId: 4, firstOffset: 12)])
        #expect(visible.isEmpty)
    }

    @Test func severalAbortedTransactionsOfDifferentProducers() throws {
        let batches = [
            try Self.data(0, producer: 1), try Self.data(1, producer: 2), try Self.data(2, producer: 3),
            try Self.marker(3, producer: 2, .abort), try Self.marker(4, producer: 1, .commit), try Self.marker(5, producer: 3, .abort),
            try Self.data(6, producer: 2), try Self.data(7, producer: 3), try Self.marker(8, producer: 2, .commit),
            try Self.marker(9, producer: 3, .abort),
        ]
        let aborted = [Aborted(producerId: 3, firstOffset: 7), Aborted(producerId: 2, firstOffset: 1), Aborted(producerId: 3, firstOffset: 2)]
        var filter = TransactionalRecordFilter(abortedTransactions: aborted)
        #expect(filter.committedRecords(in: batches).map(\.offset) == [0, 6])
    }

    @Test func noAbortedTransactionsShowsAllButMarkers() throws {
        let batches = [try Self.data(0, producer: 1), try Self.marker(1, producer: 1, .abort), try Self.data(2, producer: -1, transactional: false)]
        #expect(TransactionalRecordFilter.committedRecords(in: batches, abortedTransactions: []).map(\.offset) == [0, 2])
    }

    /// librdkafka's transactional producer against a Tansu broker: commit (offset 0, marker 1),
    /// abort (offset 2, marker 3), commit (offset 4, marker 5); producer id 1.
    static let librdkafkaTransactions = """
        0000000000000000000000440000000002533ec7e7001000000000000001a2112f9fb1000001a2112f9fb10000000000
        0000010000000000000000000124000000026116636f6d6d69747465642d3100000000000000000100000042ffffffff
        02cb4cc2cf003000000000000001a2112f9fb9000001a2112f9fb900000000000000010000ffffffff00000001200000
        0008000000010c000000000000000000000000000002000000420000000002fadcf1c7001000000000000001a2112f9f
        b9000001a2112f9fb90000000000000001000000000001000000012000000002621261626f727465642d310000000000
        0000000300000042ffffffff0298492b81003000000000000001a2112f9fbb000001a2112f9fbb000000000000000100
        00ffffffff000000012000000008000000000c000000000000000000000000000004000000440000000002a565bbf300
        1000000000000001a2112f9fbb000001a2112f9fbb00000000000000010000000000020000000124000000026316636f
        6d6d69747465642d3200000000000000000500000042ffffffff0280d6ca32003000000000000001a2112f9fbd000001
        a2112f9fbd00000000000000010000ffffffff000000012000000008000000010c00000000000000
        """

    @Test func transactionsWrittenByLibrdkafka() throws {
        let batches = try RecordBatchDecoder().decodeBatches(ByteBuffer(hex: Self.librdkafkaTransactions))
        #expect(batches.map(\.baseOffset) == [0, 1, 2, 3, 4, 5])
        #expect(batches.map(\.isControl) == [false, true, false, true, false, true])
        #expect(batches.compactMap(\.controlRecord).map(\.kind) == [.commit, .abort, .commit])
        #expect(batches.allSatisfy { $0.isTransactional && $0.producerId == 1 })
        // What a Kafka broker lists for this partition: producer 1 aborted a transaction at offset 2.
        let visible = TransactionalRecordFilter.committedRecords(in: batches, abortedTransactions: [Aborted(producerId: 1, firstOffset: 2)])
        #expect(Self.values(visible) == ["committed-1", "committed-2"])
    }
}

/// The filter applied to whole Fetch responses, as the consumer applies it batch by batch.
extension TransactionalRecordFilter {
    /// The records of `batches` (one partition, offset order) that a read_committed consumer sees.
    mutating func committedRecords(in batches: [RecordBatch]) -> [Record] {
        var records: [Record] = []
        for batch in batches where admits(batch) {
            records.append(contentsOf: batch.records)
        }
        return records
    }

    /// The records a read_committed consumer sees, given one Fetch response partition's data.
    static func committedRecords(in batches: [RecordBatch], abortedTransactions: [AbortedTransaction]) -> [Record] {
        var filter = TransactionalRecordFilter(abortedTransactions: abortedTransactions)
        return filter.committedRecords(in: batches)
    }

    /// The records a read_uncommitted consumer sees: everything but transaction markers.
    static func uncommittedRecords(in batches: [RecordBatch]) -> [Record] {
        batches.filter { !$0.isControl }.flatMap(\.records)
    }
}
