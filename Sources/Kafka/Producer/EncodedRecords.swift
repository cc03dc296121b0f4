import KafkaProtocol
import NIOCore

/// A batch's records written as record-batch bytes when they are queued, so a queued record keeps
/// no buffers of its own; `seal` adds the header (producer id, sequence, CRC) when it goes out.
struct EncodedRecords: BatchRecords, Sendable {
    /// Where records are appended until the batch is sealed.
    private var encoder: RecordBatchEncoder?
    /// The batch as sent, once sealed; a retry rewrites its producer fields in place.
    private(set) var sealed: Result<ByteBuffer, RecordBatchError>?
    private(set) var count = 0

    init(expectedBytes: Int) {
        // A batch stays within the batch size unless one record alone is larger; 1 KiB for the header.
        encoder = RecordBatchEncoder(initialCapacity: expectedBytes + 1024)
    }

    mutating func append(_ record: ProducerRecord) {
        precondition(encoder != nil, "a sealed batch takes no more records")
        encoder!.append(key: record.key, value: record.value, headers: record.headers, timestamp: record.timestamp ?? 0)
        count += 1
    }

    /// Writes the header for this attempt: the first time the whole batch, later only the producer fields.
    mutating func seal(compression: CompressionCodec, producerId: Int64, producerEpoch: Int16, baseSequence: Int32) {
        if case .success(var batch) = sealed {
            sealed = nil  // this copy alone holds the bytes now, so they are rewritten in place
            RecordBatchEncoder.assignProducer(producerId: producerId, producerEpoch: producerEpoch, baseSequence: baseSequence, to: &batch)
            sealed = .success(batch)
        } else if var encoder = encoder.take() {
            do {
                sealed = .success(try encoder.encode(compression: compression, producerId: producerId,
                                                     producerEpoch: producerEpoch, baseSequence: baseSequence))
            } catch {
                sealed = .failure(error)
            }
        }
    }
}
