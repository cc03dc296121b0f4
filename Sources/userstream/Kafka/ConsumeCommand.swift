import ArgumentParser
import Foundation
import Kafka
import KafkaProtocol
import UserPipeline
import Retry

/// `userstream kafka consume TOPIC`: JSON lines on stdout.
struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Consume records and print one JSON object per line: topic, partition, offset, timestamp, key, value, headers."
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Topic to consume.") var topic: String
    @Flag(help: "Start at the earliest offset instead of the end.") var fromBeginning = false
    @Option(help: "Exit after this many records.") var count: Int?
    @Option(help: "Exit after this many seconds without a new record.") var untilIdle: Double?
    @Option(help: "Consume only this partition.") var partition: Int32?
    @Option(help: "read_uncommitted or read_committed.") var isolation: IsolationOption = .readUncommitted
    @OptionGroup var group: GroupOptions

    func validate() throws {
        try TopicName.validate(topic, from: "topic")
        _ = try NumberSetting.count("--count", from: 0).resolve(count)
        _ = try NumberSetting.seconds("--until-idle").resolve(untilIdle)
        _ = try Settings.partition.resolve(partition.map(Int.init))
    }

    func run() async throws {
        MemoryBudget.applyToThroughputTool()
        if let groupID = group.group {
            guard partition == nil else { throw ValidationError("--partition and --group exclude each other: the group assigns the partitions") }
            return try await consumeInGroup(groupID)
        }
        let consumer = try await PartitionConsumer(
            configuration: try connection.kafkaConfiguration(),
            settings: ConsumerSettings(isolation: isolation.level)
        )
        let start: ConsumerStart = fromBeginning ? .earliest : .latest
        if let partition {
            try await consumer.assign([TopicPartition(topic: topic, partition: partition)], from: start)
        } else {
            try await consumer.assign(topic: topic, from: start)
        }
        let started = ContinuousClock.now
        var consumed = 0
        var output = StandardOutput()
        var failure: Error?
        // Options are read once: a property-wrapper read per record shows in the profile.
        let limit = count ?? Int.max
        if limit != 0 {
            do {
                let idle = untilIdle.map { Duration.milliseconds(Int64($0 * 1000)) }
                outer: for try await batch in consumer.batches(idleTimeout: idle) {
                    for record in batch {
                        try output.append(record)
                        consumed += 1
                        if consumed >= limit { break outer }
                    }
                    try output.flush()
                }
                try output.flush()
            } catch {
                failure = error
            }
        }
        await consumer.shutdown()
        try summarize(consumed: output.printed, since: started, failure: failure)
    }

    /// The closing summary line; exits non-zero after a failure.
    func summarize(consumed: Int, since started: ContinuousClock.Instant, failure: (any Error)?, group: String? = nil) throws {
        let seconds = (ContinuousClock.now - started).fractionalSeconds
        if let failure { printError(CommandLineHints.message("error: \(failure)", for: failure)) }
        let suffix = group.map { " (group \($0))" } ?? ""
        printError(String(format: "consumed %d records from %@ in %.3f s", consumed, topic, seconds) + suffix)
        if failure is OutputFailure { throw OutputFailure.exitCode }
        if failure != nil { throw ExitCode.failure }
    }
}

/// `--isolation` values.
enum IsolationOption: String, ExpressibleByArgument, CaseIterable {
    case readUncommitted = "read_uncommitted"
    case readCommitted = "read_committed"
    var level: IsolationLevel { self == .readCommitted ? .readCommitted : .readUncommitted }
}
