import Retry
/// What a `stream` run did, as counted so far.
public struct StreamSummary: Sendable, Equatable {
    /// Records handed to the processor (re-fetched duplicates excluded).
    public var consumed = 0
    /// Valid users written to the sink.
    public var stored = 0
    /// Invalid records written to the dead-letter topic.
    public var deadLettered = 0
    /// Sink or dead-letter writes that failed and were retried.
    public var writeRetries = 0
    /// Offset commits the broker accepted.
    public var commits = 0
    /// Offset commits that failed (the records are redelivered and upserted again).
    public var failedCommits = 0
    /// Partitions moved because their position was outside the log (`--offset-reset`).
    public var offsetResets = 0
    /// Offsets those moves jumped over, and records before the old positions read again.
    public var offsetsSkipped: Int64 = 0
    public var readAgain: Int64 = 0
    /// Time since the run started.
    public var elapsed: Duration = .zero

    public init() {}

    /// The one-line summary the CLI prints.
    public var line: String {
        let seconds = elapsed.fractionalSeconds
        let rate = seconds > 0 ? Int((Double(stored) / seconds).rounded()) : 0
        return "consumed=\(consumed) stored=\(stored) dead_lettered=\(deadLettered) write_retries=\(writeRetries) "
            + "commits=\(commits) failed_commits=\(failedCommits) "
            + (offsetResets == 0 ? "" : "offset_resets=\(offsetResets) skipped=\(offsetsSkipped) read_again=\(readAgain) ")
            + "elapsed=\(IngestSummary.seconds(elapsed))s users/s=\(rate)"
    }
}
