/// What `Reconciliation` found: the figures, and the first ids of each kind of difference.
public struct ReconciliationReport: Sendable, Codable, Equatable {
    /// One partition's range read: from `start` up to (not including) `end`.
    public struct PartitionRange: Sendable, Codable, Equatable {
        public var partition: Int32
        public var start: Int64
        public var end: Int64
    }

    /// One id found inconsistent, and where its latest valid record is (none for an extra row).
    public struct Finding: Sendable, Codable, Equatable {
        public var id: String
        public var partition: Int32?
        public var offset: Int64?
        /// For a differing row, the fields that differ.
        public var fields: [String]?
    }

    public var topic: String
    public var deadLetterTopic: String
    public var sink: String
    /// Milliseconds since the epoch the read started from, when it did not start at the log's start.
    public var since: Int64?
    public var partitions: [PartitionRange]
    /// Records read from the users topic.
    public var records: Int = 0
    /// Distinct ids with at least one valid record.
    public var ids: Int = 0
    /// False when the dead-letter topic does not exist (nothing was ever dead-lettered).
    public var deadLetterTopicFound = true
    /// Records read whose position the dead-letter topic names.
    public var deadLettered: Int = 0
    /// Rows in the sink.
    public var stored: Int = 0
    /// Ids whose latest valid record was not dead-lettered and has no row.
    public var missing: Int = 0
    /// Ids whose row differs from their latest valid record (not dead-lettered).
    public var different: Int = 0
    /// Rows whose id has no valid record in the topic; only counted when the topic is expected complete.
    public var extra: Int?
    /// The first ids of each kind, up to the number asked for.
    public var firstMissing: [Finding] = []
    public var firstDifferent: [Finding] = []
    public var firstExtra: [Finding]?

    /// Nothing missing, nothing different, and no extra row when those were counted.
    public var isConsistent: Bool { missing == 0 && different == 0 && (extra ?? 0) == 0 }

    /// `records=… ids=… dead_lettered=… stored=… missing=… different=… [extra=…]`.
    public var summary: String {
        "records=\(records) ids=\(ids) dead_lettered=\(deadLettered) stored=\(stored) missing=\(missing) different=\(different)"
            + (extra.map { " extra=\($0)" } ?? "")
    }
}
