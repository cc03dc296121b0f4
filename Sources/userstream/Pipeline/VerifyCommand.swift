import ArgumentParser
import Foundation
import Logging
import Reconciliation

/// `userstream verify`: does the sink hold what the topic holds? Reads the users topic, its
/// dead-letter topic and the sink, never writing to any of them nor committing an offset.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that the sink holds each user's latest valid record of the topic, unless it was dead-lettered.",
        discussion: """
            Reads every partition of the users topic from its start (or --since) up to its end offset at the start, \
            the dead-letter topic, then the sink, and reports records, ids, dead-lettered, stored, missing (an id whose \
            latest valid record is neither dead-lettered nor stored) and different (a row that differs from that record); \
            with --expect-complete-topic also extra rows the topic never held. Joins no group, commits nothing, writes nothing \
            to the sink. Exits 0 when consistent, 1 when not.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var topics: TopicOptions

    @OptionGroup var sink: SinkOptions

    @Option(help: "Read from the first record at or after this time (ISO-8601 such as 2026-12-01T16:00:00Z, or DURATION-ago such as 15m-ago) instead of the log's start.")
    var since: String?

    @Option(help: "Name at most this many ids of each kind of difference; default 10.")
    var show: Int?

    @Flag(help: "Every row of the sink must come from the topic: count rows whose id it never held as extra.")
    var expectCompleteTopic = false

    @Flag(help: "Print the report as one JSON object (the summary line goes to standard error).")
    var json = false

    static let examples = NumberSetting<Int>.count("--show", from: 0, to: 1_000_000)

    func validate() throws {
        _ = try Self.examples.resolve(show)
        _ = try sinceMilliseconds()
        if since != nil, expectCompleteTopic {
            throw ValidationError("--expect-complete-topic needs the whole topic: it cannot be used with --since")
        }
    }

    /// --since as milliseconds since the epoch; a time not yet come is refused.
    func sinceMilliseconds() throws -> Int64? {
        try since.map { try PointInTime.milliseconds($0, flag: "--since") }
    }

    func run() async throws {
        let location = try sink.location()
        let reconciliation = Reconciliation(
            topic: topics.topic, deadLetterTopic: topics.deadLetterTopic, since: try sinceMilliseconds(),
            examples: try Self.examples.resolve(show, default: 10), expectCompleteTopic: expectCompleteTopic)
        let kafka = try connection.kafkaConfiguration()
        // Opened first: a sink that does not exist ends the command before anything is read.
        let store = try await location.openForReading(logger: Logger(label: "userstream.sink"))
        let progress = ReconciliationProgress()
        let report = try await closing(store.close) {
            try await Progress().reporting({ progress.line }) {
                try await reconciliation.run(kafka: kafka, sink: store, sinkName: location.description, progress: progress)
            }
        }
        try show(report)
        if !report.isConsistent { throw ExitCode(1) }
    }

    private func show(_ report: ReconciliationReport) throws {
        let line = "userstream: verify \(report.summary)"
        if json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys]
            try OutputFailure.writeAll(String(decoding: try encoder.encode(report), as: UTF8.self) + "\n")
            printError(line)
            return
        }
        var text = "topic \(report.topic): "
            + report.partitions.map { "partition \($0.partition) offsets \($0.start)..<\($0.end)" }.joined(separator: ", ") + "\n"
        if !report.deadLetterTopicFound { text += "dead-letter topic \(report.deadLetterTopic) does not exist: nothing was dead-lettered\n" }
        text += "sink \(report.sink): \(report.stored) rows\n"
        for (kind, findings) in [("missing", report.firstMissing), ("different", report.firstDifferent), ("extra", report.firstExtra ?? [])] {
            for finding in findings {
                let position = finding.partition.map { " partition \($0) offset \(finding.offset ?? -1)" } ?? ""
                let fields = finding.fields.map { " fields " + $0.joined(separator: ",") } ?? ""
                text += "\(kind) \(finding.id)\(position)\(fields)\n"
            }
        }
        try OutputFailure.writeAll(text + line + "\n")
    }
}
