import ArgumentParser
import Kafka
import UserPipeline

/// `userstream stream`: Kafka → validated users in the sink, bad records to the dead-letter topic.
struct StreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Consume users from Kafka, validate them and store them in the sink; bad records go to the dead-letter topic.",
        discussion: "Several copies with the same --group share the topic's partitions. Offsets are committed only after "
            + "the sink (and the dead-letter topic) acknowledged every record before them. SIGTERM finishes the batch in "
            + "progress, commits and leaves the group."
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var stream: StreamOptions
    @OptionGroup var sink: SinkOptions
    @OptionGroup var http: HTTPOptions

    func run() async throws {
        MemoryBudget.applyToLongRunningProcess()
        let kafka = try connection.kafkaConfiguration()
        let location = try sink.location()
        let observability = try stream.observability(http: http, kafka: kafka, sink: location)
        let runner = try await StreamRunner.start(kafka: kafka, options: stream, sink: location, metrics: observability.metrics)
        let idle = stream.untilIdle.map { Duration(seconds: $0) }
        let work = Task { try await runner.run(idleTimeout: idle) }
        let signals = TerminationSignals { work.cancel() }
        defer { withExtendedLifetime(signals) {} }
        do {
            _ = try await observability.serving {
                try await Progress().reporting({ "stream: " + runner.processor.snapshot.line }) { try await work.value }
            }
        } catch {
            await runner.close()
            await observability.close()
            throw error
        }
        await runner.close()
        await observability.close()
        print("userstream: stream \(runner.processor.snapshot.line)")
    }
}

/// The flags that say what `stream` reads and where rejects go.
struct StreamOptions: ParsableArguments {
    @OptionGroup var topics: TopicOptions

    @Option(help: "Consumer group; copies with the same group share the partitions (env USERSTREAM_GROUP).")
    var group: String = Environment.string("USERSTREAM_GROUP") ?? "userstream"

    @Option(name: .customLong("until-idle"), help: "Exit once no record arrived for this many seconds (for jobs and tests; env USERSTREAM_UNTIL_IDLE).")
    private var untilIdleOption: Double?
    var untilIdle: Double? { untilIdleOption ?? Environment.double("USERSTREAM_UNTIL_IDLE") }

    /// The metrics and, with --http, the status endpoint watching this stream's topic, group and sink.
    func observability(http: HTTPOptions, kafka: KafkaConfiguration, sink: SinkLocation) throws -> Observability {
        try Observability(http: http, kafka: kafka, topic: topics.topic, group: group, dlqTopic: topics.deadLetterTopic, sink: sink)
    }
}
