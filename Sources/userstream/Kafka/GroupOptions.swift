import ArgumentParser
import Kafka

/// Flags of `userstream kafka consume` that make it a consumer group member.
struct GroupOptions: ParsableArguments {
    @Option(help: "Join this consumer group: the group splits the partitions, and offsets are committed after printing.")
    var group: String?

    @Option(help: "Partition assignor offered to the group: range or roundrobin; repeatable, preferred first (default: range, roundrobin).")
    var assignor: [AssignorOption] = []

    @Option(help: "Group session timeout in seconds (at most 6 with Tansu).")
    var sessionTimeout: Double = 6

    @Option(help: "Heartbeat interval in seconds.")
    var heartbeatInterval: Double = 1

    @Flag(help: "Print each commit to standard error as 'committed: topic-partition@offset,…'.")
    var logCommits = false

    func validate() throws {
        _ = try NumberSetting.seconds("--session-timeout").resolve(sessionTimeout)
        _ = try NumberSetting.seconds("--heartbeat-interval").resolve(heartbeatInterval)
    }

    func settings(groupID: String, fromBeginning: Bool) -> ConsumerGroupSettings {
        ConsumerGroupSettings(
            groupID: groupID,
            sessionTimeout: .milliseconds(Int64(sessionTimeout * 1000)),
            heartbeatInterval: .milliseconds(Int64(heartbeatInterval * 1000)),
            assignors: assignor.isEmpty ? [.range, .roundRobin] : assignor.map(\.assignor),
            autoOffsetReset: fromBeginning ? .earliest : .latest)
    }
}

/// `--assignor` values.
enum AssignorOption: String, ExpressibleByArgument, CaseIterable {
    case range
    case roundrobin
    var assignor: PartitionAssignor { self == .range ? .range : .roundRobin }
}

/// `topic-0,topic-1` for log lines tests and operators read.
func partitionList<S: Sequence<TopicPartition>>(_ partitions: S) -> String {
    partitions.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }.map(\.description).joined(separator: ",")
}
