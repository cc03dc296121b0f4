import ArgumentParser
import Foundation
import Kafka
import UserContract

/// `userstream kafka groups reset GROUP --to …`: moves a stopped group's offsets on one topic so
/// it processes records again from a point (or skips to it), like kafka-consumer-groups --reset-offsets.
struct GroupsResetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Move a stopped consumer group's offsets on a topic to the earliest, the latest or the first record at or after a time.",
        discussion: """
            Shows, per partition, the committed offset, the new one and how many records will be processed again \
            (or skipped); commits the new offsets unless --dry-run. Refused while the group has members: stop them first.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The consumer group (`userstream stream`'s is userstream).") var group: String
    @Option(name: .customLong("topic"), help: "Topic whose offsets to move; default users_created (env USERSTREAM_TOPIC).")
    private var topicOption: String?
    var topic: String { topicOption ?? Environment.string("USERSTREAM_TOPIC") ?? UsersCreatedContract.defaultTopic }
    @Option(help: "earliest, latest, an ISO-8601 time (2026-12-07T10:00:00Z) or DURATION-ago (90s-ago, 15m-ago, 2h-ago, 1d-ago).",
            transform: ResetPoint.parse)
    var to: ResetPoint
    @Flag(help: "Show the moves without committing them.") var dryRun = false

    func validate() throws {
        try TopicName.validate(topic, from: topicOption != nil ? "--topic" : "USERSTREAM_TOPIC")
        do {
            _ = try to.offsetSpec(now: Date())
        } catch {
            throw ValidationError("--to \(error)")
        }
    }

    func run() async throws {
        let now = Date()
        let spec = try to.offsetSpec(now: now)
        try await KafkaAdmin.withAdmin(configuration: try connection.kafkaConfiguration()) { admin in
            var plan: GroupOffsetResetPlan?
            do {
                let planned = try await admin.planOffsetReset(group: group, topic: topic, to: spec)
                plan = planned
                print("group \(group) topic \(topic): to \(to.describe(now: now))\(dryRun ? " (dry run: nothing is committed)" : "")")
                printPlan(planned)
                if !dryRun {
                    let committed = try await admin.applyOffsetReset(planned)
                    print("committed now:")
                    printTable([["PARTITION", "COMMITTED"]] + planned.moves.map {
                        [String($0.partition), committed[$0.partition].map(String.init) ?? "-"]
                    })
                }
            } catch let error as GroupOffsetResetError {
                printError(CommandLineHints.message("userstream: error: \(error)", for: error))
                print(summary(plan, applied: false))
                throw ExitCode.failure
            }
            print(summary(plan, applied: !dryRun))
        }
    }

    private func printPlan(_ plan: GroupOffsetResetPlan) {
        var rows = [["PARTITION", "COMMITTED", "NEW", "REPROCESS", "SKIP"]]
        for move in plan.moves {
            rows.append([String(move.partition), move.committed.map(String.init) ?? "-", String(move.newOffset),
                         String(move.reprocessed), String(move.skipped)])
        }
        rows.append(["total", "", "", String(plan.reprocessed), String(plan.skipped)])
        printTable(rows)
    }

    /// The summary line; a refused group has no plan, hence no partitions.
    private func summary(_ plan: GroupOffsetResetPlan?, applied: Bool) -> String {
        "userstream: groups reset group=\(group) topic=\(topic) partitions=\(plan?.moves.count ?? 0) "
            + "reprocess=\(plan?.reprocessed ?? 0) skip=\(plan?.skipped ?? 0) applied=\(applied ? "yes" : "no")"
    }
}
