import KafkaProtocol

/// Turns one partition of a Fetch response into the records a consumer at `position` sees,
/// and the position after them. Pure: no I/O.
enum PartitionRecords {
    static func decode(
        _ partition: FetchResponse.PartitionData, of tp: TopicPartition, at position: Int64,
        isolation: IsolationLevel, decoder: RecordBatchDecoder = RecordBatchDecoder()
    ) throws -> (records: [ConsumerRecord], next: Int64) {
        guard let bytes = partition.records, bytes.readableBytes > 0 else { return ([], position) }
        let batches: [RecordBatch]
        do {
            batches = try decoder.decodeBatches(bytes)
        } catch {
            throw KafkaError.malformedResponse("record batches of \(tp) at offset \(position): \(error)")
        }
        guard let last = batches.last else { return ([], position) }
        let visible: [Record]
        if isolation == .readCommitted {
            let aborted = (partition.abortedTransactions ?? []).map {
                TransactionalRecordFilter.AbortedTransaction(producerId: $0.producerId, firstOffset: $0.firstOffset)
            }
            visible = TransactionalRecordFilter.committedRecords(in: batches, abortedTransactions: aborted)
        } else {
            visible = TransactionalRecordFilter.uncommittedRecords(in: batches)
        }
        var records: [ConsumerRecord] = []
        records.reserveCapacity(visible.count)
        // A batch may start before the fetch position (compressed batches are returned whole).
        for record in visible where record.offset >= position {
            records.append(ConsumerRecord(topic: tp.topic, partition: tp.partition, offset: record.offset,
                                          timestamp: record.timestamp, key: record.key, value: record.value, headers: record.headers))
        }
        return (records, max(position, last.nextOffset))
    }
}
