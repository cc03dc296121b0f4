import KafkaProtocol
import Retry

extension OffsetLookup {
    /// Turns ListOffsets answers for a time into offsets that hold: "none" (-1) becomes the log
    /// end, and an answer the records around it contradict is replaced by reading the partition
    /// from its start. Tansu 0.6 answers every time with offset 0, whatever its records' timestamps.
    func checkTimeAnswers(_ offsets: inout [TopicPartition: Int64], atOrAfter timestamp: Int64, isolation: IsolationLevel) async throws {
        let partitions = Array(offsets.keys)
        let starts = try await self.offsets(for: partitions, .earliest, isolation: isolation)
        let ends = try await self.offsets(for: partitions, .latest, isolation: isolation)
        for tp in partitions {
            guard let start = starts[tp], let end = ends[tp], let answer = offsets[tp] else { continue }
            let candidate = answer < 0 ? end : answer
            if try await holds(candidate, in: tp, start: start, end: end, atOrAfter: timestamp, isolation: isolation) {
                offsets[tp] = candidate
            } else {
                offsets[tp] = try await firstOffset(in: tp, from: start, end: end, atOrAfter: timestamp, isolation: isolation)
            }
        }
    }

    /// Whether `offset` is inside the log, the record before it is older than `timestamp` and the
    /// record at it (when there is one) is not.
    private func holds(_ offset: Int64, in tp: TopicPartition, start: Int64, end: Int64, atOrAfter timestamp: Int64,
                       isolation: IsolationLevel) async throws -> Bool {
        guard offset >= start, offset <= end else { return false }
        guard offset > start || offset < end else { return true }  // an empty log
        let records = try await read(tp, from: max(start, offset - 1), end: min(end, offset + 1), isolation: isolation) { _ in false }
        let before = records.last { $0.offset < offset }
        let at = records.first { $0.offset >= offset }
        return (before.map { $0.timestamp < timestamp } ?? true) && (offset == end || (at.map { $0.timestamp >= timestamp } ?? true))
    }

    /// The offset of the first record from `start` whose timestamp is at or after `timestamp`; `end` when none is.
    private func firstOffset(in tp: TopicPartition, from start: Int64, end: Int64, atOrAfter timestamp: Int64,
                             isolation: IsolationLevel) async throws -> Int64 {
        let records = try await read(tp, from: start, end: end, isolation: isolation) { $0.timestamp >= timestamp }
        return records.last.flatMap { $0.timestamp >= timestamp ? $0.offset : nil } ?? end
    }

    /// Records of `tp` from `start` until `end`, or up to and including the first for which `stop` is true.
    private func read(_ tp: TopicPartition, from start: Int64, end: Int64, isolation: IsolationLevel,
                      stop: (ConsumerRecord) -> Bool) async throws -> [ConsumerRecord] {
        var records: [ConsumerRecord] = []
        var position = start
        var roundsWithoutProgress = 0
        while position < end {
            let round = try await FetchRound.fetch(cluster: cluster, positions: [tp: position], settings: ConsumerSettings(isolation: isolation),
                                                   maxWait: .milliseconds(500), rotation: 0)
            for record in round.records where record.offset >= position {
                records.append(record)
                if stop(record) { return records }
            }
            let next = round.positions[tp] ?? position
            if next > position {
                position = next
                roundsWithoutProgress = 0
            } else {
                // A leader change or a slow read; the same retry budget as every broker request.
                roundsWithoutProgress += 1
                guard RetryPolicy.brokerRequests.allowsRetry(afterAttempt: roundsWithoutProgress) else {
                    throw KafkaError.malformedResponse("fetching \(tp) from offset \(position) returned nothing before its end \(end)")
                }
                await cluster.invalidateMetadata()
            }
        }
        return records
    }
}
