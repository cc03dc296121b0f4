import ArgumentParser
import Foundation
import Kafka

/// `userstream kafka groups`: `show` (the default) lists or describes groups, `reset` moves a
/// stopped group's offsets.
struct GroupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups",
        abstract: "List consumer groups, show one (its members and lag), or reset a stopped group's offsets.",
        subcommands: [GroupsShowCommand.self, GroupsResetCommand.self],
        defaultSubcommand: GroupsShowCommand.self
    )
}

/// `userstream kafka groups [show] [GROUP]`: lists consumer groups, or shows one group's members
/// and per-partition lag.
struct GroupsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "List consumer groups; with a group, show its members and, per partition, end offset, committed offset and lag."
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Group to show (same as --group).") var groupArgument: String?
    @Option(help: "Group to show.") var group: String?
    @Option(help: "Topic whose lag to show; repeatable (default: the topics the group has committed or been assigned).")
    var topic: [String] = []
    @Flag(help: "Print JSON instead of a table.") var json = false

    /// `--json` output for one group.
    struct Report: Codable {
        var group: GroupDescription
        var lag: [String: [PartitionLag]]
    }

    func validate() throws {
        try TopicName.validate(topic, from: "--topic")
    }

    func run() async throws {
        try await KafkaAdmin.withAdmin(configuration: try connection.kafkaConfiguration()) { try await report($0) }
    }

    private func report(_ admin: KafkaAdmin) async throws {
        guard let groupID = groupArgument ?? group else {
            let groups = try await admin.listGroups()
            if json {
                try printJSON(groups)
            } else {
                printTable([["GROUP", "STATE", "PROTOCOL TYPE"]] + groups.map { [$0.groupID, $0.state, $0.protocolType] })
            }
            printError("\(groups.count) groups")
            return
        }
        let description = try await admin.describeGroup(groupID)
        var topics = topic
        if topics.isEmpty {
            let committed = try await admin.committedOffsets(group: groupID).keys.map(\.topic)
            topics = Array(Set(committed + description.members.flatMap { $0.assignment.map(\.topic) })).sorted()
        }
        var lag: [String: [PartitionLag]] = [:]
        for topic in topics { lag[topic] = try await admin.groupLag(group: groupID, topic: topic) }
        if json {
            try printJSON(Report(group: description, lag: lag))
        } else {
            print("group \(description.groupID): state \(description.state), assignor \(description.assignor.isEmpty ? "-" : description.assignor), \(description.members.count) members")
            printTable([["MEMBER", "CLIENT", "HOST", "PARTITIONS"]] + description.members.map {
                [$0.memberID, $0.clientID, $0.clientHost, partitionList($0.assignment)]
            })
            var rows = [["TOPIC", "PARTITION", "END OFFSET", "COMMITTED", "LAG"]]
            for topic in topics {
                for entry in lag[topic] ?? [] {
                    rows.append([topic, String(entry.partition), String(entry.endOffset), entry.committedOffset.map(String.init) ?? "-", String(entry.lag)])
                }
            }
            printTable(rows)
        }
        guard !topics.isEmpty else {
            // Nothing to measure against: "lag 0" would pass for caught up.
            printError("group \(groupID): \(description.members.count) members, no committed offsets and no assigned partitions: lag unknown — name the topic with --topic")
            return
        }
        let total = lag.values.joined().reduce(Int64(0)) { $0 + $1.lag }
        printError("group \(groupID): \(description.members.count) members, total lag \(total)")
    }

    private func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

/// Prints `rows` as columns padded to the widest cell; the first row is the header.
func printTable(_ rows: [[String]]) {
    guard let header = rows.first else { return }
    let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    for row in rows {
        print(row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
    }
}
