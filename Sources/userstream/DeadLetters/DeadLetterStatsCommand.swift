import ArgumentParser
import Foundation
import Kafka
import UserPipeline

/// `userstream dlq stats`: dead letters by reason and by source partition, the oldest and newest,
/// and how far the replay group got.
struct DeadLetterStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count the dead letters by reason and by source partition; show the oldest, the newest and the replay group's position."
    )

    @OptionGroup var options: DeadLetterOptions

    @Option(help: "The replay group whose position to show; default \(DeadLetterReplayCommand.defaultGroup). A named group must have replayed before.")
    var group: String?

    @Flag(help: "Print one JSON object (the summary line goes to standard error).")
    var json = false

    /// `--json` output.
    struct Report: Encodable {
        var topic: String
        var total: Int
        var byReason: [String: Int]
        var bySourcePartition: [String: Int]
        var oldest: String?
        var newest: String?
        var replayGroup: String
        /// Dead letters after the group's committed offsets; nil when the group never committed.
        var notYetReplayed: Int64?
    }

    func run() async throws {
        let report = try await options.withLog { log, admin in
            let extent = try await log.extent()
            var stats = DeadLetterStats()
            try await log.read(from: extent.starts, to: extent.ends) { entries in
                for entry in entries { stats.add(entry) }
                return true
            }
            let groupID = group ?? DeadLetterReplayCommand.defaultGroup
            let committed = try await admin.committedOffsets(group: groupID, topic: log.topic)
            if committed.isEmpty, group != nil { throw DeadLetterError.groupUnknown(group: groupID, topic: log.topic) }
            let pending = committed.isEmpty ? nil : extent.ends.reduce(Int64(0)) { total, end in
                total + max(0, end.value - max(committed[end.key] ?? 0, extent.starts[end.key] ?? 0))
            }
            return Report(topic: log.topic, total: stats.total, byReason: stats.byReason, bySourcePartition: stats.bySourcePartition,
                          oldest: stats.oldest.map(PointInTime.text), newest: stats.newest.map(PointInTime.text),
                          replayGroup: groupID, notYetReplayed: pending)
        }
        let line = "userstream: dlq stats topic=\(report.topic) total=\(report.total) reasons=\(report.byReason.count)"
            + " oldest=\(report.oldest ?? "-") newest=\(report.newest ?? "-")"
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            printError(line)
            return
        }
        guard report.total > 0 else {
            print("dead-letter topic \(report.topic) is empty")
            print(line)
            return
        }
        print("dlq \(report.topic): \(report.total) dead letters, oldest \(report.oldest ?? "-"), newest \(report.newest ?? "-")")
        print(Self.table("reason", report.byReason))
        print(Self.table("source partition", report.bySourcePartition))
        print("replay group \(report.replayGroup): " + (report.notYetReplayed.map { "\($0) dead letters after its committed offsets" } ?? "no replay yet"))
        print(line)
    }

    /// Two columns, the biggest count first.
    private static func table(_ title: String, _ counts: [String: Int]) -> String {
        let rows = counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        let width = max(title.count, rows.map(\.key.count).max() ?? 0)
        return ([(title, "count")] + rows.map { ($0.key, String($0.value)) })
            .map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}
