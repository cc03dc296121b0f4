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
        // Straight from the batches into ConsumerRecords: no intermediate array of Records.
        var filter: TransactionalRecordFilter?
        if isolation == .readCommitted {
            filter = TransactionalRecordFilter(abortedTransactions: (partition.abortedTransactions ?? []).map {
                TransactionalRecordFilter.AbortedTransaction(producerId: $0.producerId, firstOffset: $0.firstOffset)
            })
        }
        var capacity = 0
        for batch in batches where !batch.isControl { capacity += batch.records.count }
        var records: [ConsumerRecord] = []
        records.reserveCapacity(capacity)
        let topic = tp.topic
        let partitionIndex = tp.partition
        for batch in batches {
            // Every batch goes through the filter, in order: markers close aborted transactions.
            let admitted = filter != nil ? filter!.admits(batch) : !batch.isControl
            // A batch may start before the fetch position (compressed batches are returned whole).
            guard admitted, batch.lastOffset >= position else { continue }
            for record in batch.records where record.offset >= position {
                records.append(ConsumerRecord(topic: topic, partition: partitionIndex, offset: record.offset,
                                              timestamp: record.timestamp, key: record.key, value: record.value, headers: record.headers))
            }
        }
        return (records, max(position, last.nextOffset))
    }
}
