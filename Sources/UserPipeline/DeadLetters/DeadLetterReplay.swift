import Kafka

/// Sends selected dead letters back to their source topics and keeps its progress as a consumer
/// group's offsets on the dead-letter topic, committed only once the records sent are acknowledged:
/// killed at any point and run again, it sends every selected record at least once.
public struct DeadLetterReplay: Sendable {
    /// What to replay and how.
    public struct Settings: Sendable {
        public var group: String
        public var selection: DeadLetterSelection
        /// Replays a record may have had and still be replayed.
        public var maxReplays: Int
        /// Records sent, then committed, at a time.
        public var chunk: Int

        public init(group: String, selection: DeadLetterSelection, maxReplays: Int = 3, chunk: Int = 500) {
            self.group = group
            self.selection = selection
            self.maxReplays = maxReplays
            self.chunk = chunk
        }
    }

    /// The counts of a run.
    public struct Summary: Sendable, Equatable {
        /// Dead letters from the group's position to the end of the log.
        public var read = 0
        public var selected = 0
        public var replayed = 0
        public var skippedMaxReplays = 0
        public var unreplayable = 0
        public init() {}
    }

    /// What the run tells its caller as it goes.
    public enum Event: Sendable {
        /// Will be (or with a dry run, would be) sent back.
        case replaying(DeadLetterEntry, ProducerRecord)
        case maxReplaysReached(DeadLetterEntry)
        case unreplayable(DeadLetterEntry, why: String)
        /// A chunk was sent and its offsets committed.
        case committed(Summary)
    }

    private let log: DeadLetterLog
    private let admin: KafkaAdmin
    /// Nil for a dry run: decide and report, send and commit nothing.
    private let sender: (any DeadLetterSender)?
    private let settings: Settings

    /// A replay of `log` through `sender` (nil: a dry run), its progress committed through `admin`.
    public init(log: DeadLetterLog, admin: KafkaAdmin, sender: (any DeadLetterSender)?, settings: Settings) {
        self.log = log
        self.admin = admin
        self.sender = sender
        self.settings = settings
    }

    /// Where the group's replay resumes: its committed offsets, the log's start where it has none.
    public func positions(in extent: DeadLetterLog.Extent) async throws -> [Int32: Int64] {
        let committed = try await admin.committedOffsets(group: settings.group, topic: log.topic)
        return extent.starts.reduce(into: [:]) { positions, start in
            positions[start.key] = max(start.value, committed[start.key] ?? start.value)
        }
    }

    /// Replays the selected dead letters from the group's position to the end of the log at the
    /// start; refuses a group with live members.
    public func run(_ report: @Sendable (Event) async throws -> Void) async throws -> Summary {
        let extent = try await log.extent()
        let members = try await admin.describeGroup(settings.group).members
        guard members.isEmpty else {
            throw DeadLetterError.groupHasMembers(group: settings.group, members: members.map { "\($0.memberID) (\($0.clientID))" })
        }
        var summary = Summary()
        try await log.read(from: try await positions(in: extent), to: extent.ends) { entries in
            for start in stride(from: 0, to: entries.count, by: max(1, settings.chunk)) {
                let chunk = entries[start..<min(entries.count, start + max(1, settings.chunk))]
                try await replay(chunk, into: &summary, report)
            }
            return true
        }
        return summary
    }

    private func replay(_ chunk: ArraySlice<DeadLetterEntry>, into summary: inout Summary, _ report: @Sendable (Event) async throws -> Void) async throws {
        var records: [ProducerRecord] = []
        var next: [TopicPartition: Int64] = [:]
        for entry in chunk {
            summary.read += 1
            next[TopicPartition(topic: entry.record.topic, partition: entry.record.partition)] = entry.record.offset + 1
            guard settings.selection.selects(entry) else { continue }
            summary.selected += 1
            switch ReplayDecision.decide(entry, maxReplays: settings.maxReplays) {
            case .replay(let record):
                records.append(record)
                try await report(.replaying(entry, record))
            case .maxReplaysReached:
                summary.skippedMaxReplays += 1
                try await report(.maxReplaysReached(entry))
            case .unreplayable(let why):
                summary.unreplayable += 1
                try await report(.unreplayable(entry, why: why))
            }
        }
        guard let sender else {
            summary.replayed += records.count
            return
        }
        // Acknowledged by every in-sync replica before the offsets move past them.
        for outcome in await sender.send(contentsOf: records) { _ = try outcome.get() }
        summary.replayed += records.count
        try await admin.commitOffsets(next, group: settings.group)
        try await report(.committed(summary))
    }
}
