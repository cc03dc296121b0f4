import ArgumentParser
import Kafka
import ServiceScope
import UserPipeline

/// `userstream dlq replay`: sends selected dead letters back to their source topic once their
/// cause is fixed; its progress is a consumer group's offsets on the dead-letter topic.
struct DeadLetterReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Send selected dead letters back to their source topic with their key, value and headers, counting replays in dlq.replays.",
        discussion: """
            Reads the dead-letter topic from the replay group's committed offsets to its end at the start, sends each selected \
            record back (acks=all, idempotent), then commits the group's offsets; killed and run again, it sends every selected \
            record at least once. A record that came back after --max-replays replays, or whose value was cut, is left where it is \
            and counted. Records a filtered replay does not select are passed over by its group: without --group the group's \
            name includes the filters, so `dlq replay` alone still finds them.
            """
    )

    /// The replay group of an unfiltered replay.
    static let defaultGroup = "userstream-dlq-replay"

    @OptionGroup var options: DeadLetterOptions
    @OptionGroup var reason: ReasonOption

    @Option(help: "Only dead letters dead-lettered at or after this time: ISO-8601 or DURATION-ago (90s-ago, 15m-ago, 2h-ago, 1d-ago).")
    var since: String?

    @Option(help: "Only dead letters dead-lettered before this time (same forms as --since).")
    var until: String?

    @Option(name: .customLong("max-replays"), help: "Replays a record may have had and still be replayed; default 3.")
    private var maxReplaysOption: Int?
    private var maxReplays: Int { get throws { try NumberSetting.count("--max-replays", from: 0, to: 1_000_000).resolve(maxReplaysOption, default: 3) } }

    @Option(help: "The consumer group keeping the replay's progress; default \(defaultGroup), plus the filters when there are any.")
    var group: String?

    @Option(name: .customLong("batch"), help: "Records sent and then committed at a time; default 500.")
    private var batchOption: Int?
    private var batch: Int { get throws { try NumberSetting.count("--batch", to: 100_000).resolve(batchOption, default: 500) } }

    @Flag(help: "Print what would be replayed; send and commit nothing.")
    var dryRun = false

    func validate() throws {
        let selection = try self.selection()
        if let since = selection.since, let until = selection.until, since > until {
            throw ValidationError("--since \(self.since ?? "") is after --until \(self.until ?? "")")
        }
        _ = try maxReplays
        _ = try batch
        if group?.isEmpty == true { throw ValidationError("--group must not be empty") }
    }

    private func selection() throws -> DeadLetterSelection {
        DeadLetterSelection(reason: reason.reason, since: try since.map { try PointInTime.milliseconds($0, flag: "--since") },
                            until: try until.map { try PointInTime.milliseconds($0, flag: "--until") })
    }

    /// The group in effect: a filtered replay gets a group of its own, so it passes over nothing an unfiltered one needs.
    private var groupID: String {
        group ?? ([Self.defaultGroup] + [reason.reason.map { "reason=\($0)" }, since.map { "since=\($0)" }, until.map { "until=\($0)" }]
            .compactMap { $0 }).joined(separator: ".")
    }

    func run() async throws {
        let settings = DeadLetterReplay.Settings(group: groupID, selection: try selection(), maxReplays: try maxReplays, chunk: try batch)
        let producer = dryRun ? nil : try await KafkaProducer(configuration: try options.connection.kafkaConfiguration())
        let (topic, total, summary) = if let producer {
            try await whileRunning(producer) { try await replay(settings, through: producer) }
        } else {
            try await replay(settings, through: nil)
        }
        if total == 0 { print("dead-letter topic \(topic) is empty: nothing to replay") }
        print("userstream: dlq replay topic=\(topic) group=\(settings.group) read=\(summary.read) selected=\(summary.selected)"
            + " replayed=\(summary.replayed) skipped_max_replays=\(summary.skippedMaxReplays) unreplayable=\(summary.unreplayable)"
            + " passed_over=\(summary.read - summary.selected) dry_run=\(dryRun)")
    }

    /// Replays through `producer` (nil: a dry run); the topic, its dead letters at the start and the summary.
    private func replay(_ settings: DeadLetterReplay.Settings, through producer: KafkaProducer?) async throws -> (String, Int64, DeadLetterReplay.Summary) {
        let (dryRun, maxReplays) = (dryRun, settings.maxReplays)
        return try await options.withLog { log, admin in
            let extent = try await log.extent()
            let replay = DeadLetterReplay(log: log, admin: admin, sender: producer, settings: settings)
            let summary = try await replay.run { event in
                switch event {
                case .replaying(let entry, let record):
                    print("\(dryRun ? "would replay" : "replay") \(Self.place(entry)) → \(record.topic) reason=\(entry.reason ?? DeadLetterStats.unknown) replays=\(entry.replays + 1)")
                case .maxReplaysReached(let entry):
                    print("not replayed: \(Self.place(entry)) came back after \(entry.replays) replays (--max-replays \(maxReplays))")
                case .unreplayable(let entry, let why):
                    print("not replayed: \(Self.place(entry)): \(why)")
                case .committed(let summary):
                    printError("progress: read=\(summary.read) replayed=\(summary.replayed) committed")
                }
            }
            return (log.topic, extent.count, summary)
        }
    }

    private static func place(_ entry: DeadLetterEntry) -> String {
        "\(entry.record.topic)/\(entry.record.partition)@\(entry.record.offset)"
    }
}
