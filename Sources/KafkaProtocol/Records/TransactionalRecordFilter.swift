/// Decides which fetched records a `read_committed` consumer may see.
///
/// A Fetch response lists, per partition, the aborted transactions that overlap the returned
/// data: producer id and first offset. A transactional batch is hidden when its producer has an
/// aborted transaction that began at or before the batch's last offset and whose ABORT marker
/// has not been passed yet. Control batches (the markers) are never shown. Feed batches of one
/// partition in offset order; start a new filter for every Fetch response.
public struct TransactionalRecordFilter: Sendable {
    /// An aborted transaction as the Fetch response lists it.
    public struct AbortedTransaction: Hashable, Sendable {
        /// The producer whose transaction was aborted.
        public var producerId: Int64
        /// The offset of the transaction's first record.
        public var firstOffset: Int64

        /// An aborted transaction from its Fetch response fields.
        public init(producerId: Int64, firstOffset: Int64) {
            self.producerId = producerId
            self.firstOffset = firstOffset
        }
    }

    /// Aborted transactions by first offset, not yet reached.
    private var pending: [AbortedTransaction]
    private var nextPending = 0
    /// Producers inside an aborted transaction at the current position.
    private var abortedProducers: Set<Int64> = []

    /// A filter for one partition of one Fetch response.
    public init(abortedTransactions: [AbortedTransaction]) {
        self.pending = abortedTransactions.sorted { $0.firstOffset < $1.firstOffset }
    }

    /// Whether the batch's records reach the application; call for every batch, in offset order.
    public mutating func admits(_ batch: RecordBatch) -> Bool {
        // Batches without a producer id can be neither transactional nor markers of one.
        if batch.producerId >= 0 {
            while nextPending < pending.count, pending[nextPending].firstOffset <= batch.lastOffset {
                abortedProducers.insert(pending[nextPending].producerId)
                nextPending += 1
            }
            if batch.isControl {
                if batch.controlRecord?.kind == .abort {
                    abortedProducers.remove(batch.producerId)
                }
            } else if batch.isTransactional && abortedProducers.contains(batch.producerId) {
                return false
            }
        }
        return !batch.isControl
    }
}
