import Foundation
import Kafka
import UserContract
import UserPipeline
import UserSinks

/// Compares the users topic, its dead-letter topic and the sink: for each id, its latest valid
/// record (validated as the stream validates) must be in the sink as it is in the topic, unless
/// that record was dead-lettered. Reads the topic up to the end offsets taken at the start, then
/// the dead-letter topic, then the sink; writes to none of them and commits no offset. The
/// working set lives in a temporary SQLite file, so memory does not grow with the number of ids.
public struct Reconciliation: Sendable {
    public var topic: String
    public var deadLetterTopic: String
    /// Milliseconds since the epoch: read each partition from its first record at or after this
    /// time (ListOffsets by timestamp) instead of from the log's start.
    public var since: Int64?
    /// How many ids of each kind of difference the report names.
    public var examples: Int
    /// Whether every id of the sink must have a record in the topic (rows it lacks are "extra").
    public var expectCompleteTopic: Bool
    /// Where the temporary file goes.
    public var spillDirectory: String
    /// The stream's own validation.
    public var validator: UserValidator
    /// Rows read from the sink at once.
    public var sinkPageSize = 1000

    public init(topic: String, deadLetterTopic: String, since: Int64? = nil, examples: Int = 10, expectCompleteTopic: Bool = false,
                spillDirectory: String = NSTemporaryDirectory(), validator: UserValidator = UserValidator()) {
        self.topic = topic
        self.deadLetterTopic = deadLetterTopic
        self.since = since
        self.examples = examples
        self.expectCompleteTopic = expectCompleteTopic
        self.spillDirectory = spillDirectory
        self.validator = validator
    }

    /// Reads everything and compares; `sink` stays open (the caller closes it).
    public func run(kafka: KafkaConfiguration, sink: any StoredUserPages, sinkName: String,
                    progress: ReconciliationProgress = ReconciliationProgress()) async throws -> ReconciliationReport {
        let ranges = try await KafkaAdmin.withAdmin(configuration: kafka) { try await self.ranges(of: topic, admin: $0, from: since) }
        var report = ReconciliationReport(
            topic: topic, deadLetterTopic: deadLetterTopic, sink: sinkName, since: since,
            partitions: ranges.sorted { $0.key < $1.key }.map { .init(partition: $0.key, start: $0.value.lowerBound, end: $0.value.upperBound) })
        let spill = try SpillFile(directory: spillDirectory)
        defer { spill.close() }
        report.records = try await readTopic(ranges, kafka: kafka, into: spill, storedForm: sink.storedForm, progress: progress)
        report.deadLetterTopicFound = try await readDeadLetters(within: ranges, kafka: kafka, into: spill, progress: progress)
        progress.phase(.sink)
        try await sink.forEachPage(size: sinkPageSize) { users in
            try spill.add(stored: users)
            progress.add(rows: users.count)
        }
        progress.phase(.comparing)
        try spill.compare(into: &report, examples: examples, countExtra: expectCompleteTopic)
        return report
    }

    /// Each partition's range to read: from the log's start (or the first offset at `since`) to its end now.
    private func ranges(of topic: String, admin: KafkaAdmin, from since: Int64?) async throws -> [Int32: Range<Int64>] {
        let ends = try await admin.offsets(topic: topic, .latest)
        let starts = try await admin.offsets(topic: topic, since.map { .time(milliseconds: $0) } ?? .earliest)
        return ends.reduce(into: [:]) { ranges, entry in
            let start = starts[entry.key].flatMap { $0 >= 0 ? $0 : nil } ?? entry.value  // -1: no record that late
            ranges[entry.key] = min(start, entry.value)..<entry.value
        }
    }

    /// Spills the latest valid record of each id; returns the number of records read.
    private func readTopic(_ ranges: [Int32: Range<Int64>], kafka: KafkaConfiguration, into spill: SpillFile,
                           storedForm: StoredForm, progress: ReconciliationProgress) async throws -> Int {
        progress.phase(.topic, total: ranges.values.reduce(0) { $0 + $1.count })
        var read = 0
        try await LogScan(kafka: kafka, topic: topic).read(ranges) { batch in
            var valid: [SpillFile.Record] = []
            valid.reserveCapacity(batch.count)
            for record in batch {
                guard case .success(let user) = validator.validate(record.value) else { continue }
                valid.append(SpillFile.Record(id: user.id, partition: record.partition, offset: record.offset,
                                              timestamp: record.timestamp, fingerprint: UserFingerprint(storedForm.of(user))))
            }
            try spill.add(records: valid)
            read += batch.count
            progress.add(records: batch.count)
        }
        return read
    }

    /// Spills the positions of the users topic that dead letters name, within `ranges`; false when
    /// there is no dead-letter topic (nothing was ever dead-lettered).
    private func readDeadLetters(within ranges: [Int32: Range<Int64>], kafka: KafkaConfiguration, into spill: SpillFile,
                                 progress: ReconciliationProgress) async throws -> Bool {
        let deadLetterRanges: [Int32: Range<Int64>]
        do {
            deadLetterRanges = try await KafkaAdmin.withAdmin(configuration: kafka) { try await self.ranges(of: deadLetterTopic, admin: $0, from: nil) }
        } catch KafkaError.unknownTopic {
            return false
        }
        progress.phase(.deadLetters, total: deadLetterRanges.values.reduce(0) { $0 + $1.count })
        try await LogScan(kafka: kafka, topic: deadLetterTopic).read(deadLetterRanges) { batch in
            let positions = batch.compactMap { record -> (partition: Int32, offset: Int64)? in
                guard let source = DeadLetter.source(of: record.headers), source.topic == topic,
                      ranges[source.partition]?.contains(source.offset) == true else { return nil }
                return (source.partition, source.offset)
            }
            try spill.add(deadLetters: positions)
            progress.add(deadLetters: batch.count)
        }
        return true
    }
}
