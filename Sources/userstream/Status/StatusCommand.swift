import ArgumentParser
import Foundation
import Kafka
import StatusService

/// `userstream status`: how far the pipeline got — per partition end offset, the group's
/// committed offset and lag; the dead-letter topic's size; rows in the sink and the last write.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show topic end offsets, the consumer group's lag per partition, the dead-letter count and the sink's rows.",
        discussion: "Prints a table (or --json) and a summary line; exits non-zero when the broker cannot be reached. "
            + "With --http ADDR:PORT it keeps running, refreshing the status, and serves /metrics, /healthz, /status.json and the status page."
    )

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var topics: TopicOptions

    @Option(name: .customLong("group"), help: "The stream processors' consumer group; default userstream (env USERSTREAM_GROUP).")
    private var groupOption: String?
    var group: String { groupOption ?? Environment.string("USERSTREAM_GROUP") ?? "userstream" }

    @OptionGroup var sink: SinkOptions

    @Flag(help: "Print the status as one JSON object (the summary line goes to standard error).")
    var json = false

    @OptionGroup var http: HTTPOptions

    @OptionGroup var schemaRegistry: SchemaRegistryOptions

    func run() async throws {
        let observability = try Observability(
            http: http, kafka: try connection.kafkaConfiguration(), topic: topics.topic, group: group,
            dlqTopic: topics.deadLetterTopic, sink: try sink.location())
        try await closing(observability.close) {
            if let endpoint = observability.endpoint {
                try await CommandLifecycle().run(alongside: observability.services) { await observability.holdOpen() }.get()
                try report(endpoint.monitor.report)
            } else {
                try await show(observability.probe)
            }
        }
    }

    private func show(_ probe: StatusProbe) async throws {
        let status: PipelineStatus
        do {
            status = try await probe.status()
        } catch {
            printError(CommandLineHints.message("userstream: status cannot reach the broker at \(connection.bootstrapServers): \(error)", for: error))
            throw ExitCode(1)
        }
        var contract: (line: String, summary: String)?
        if let registry = schemaRegistry.url { contract = await ContractRegistration.status(registry: registry, topic: topics.topic) }
        let line = status.line + (contract.map { " " + $0.summary } ?? "")
        if json {
            print(String(decoding: try PipelineStatus.encoder.encode(status), as: UTF8.self))
            printError("userstream: status \(line)")
        } else {
            print(status.table)
            if let contract { print(contract.line) }
            print("userstream: status \(line)")
        }
    }

    /// The summary after serving: the last status, and a failure when the broker did not answer last.
    private func report(_ report: StatusMonitor.Report) throws {
        if let status = report.status {
            print("userstream: status \(status.line)")
        }
        if let error = report.error {
            printError("userstream: status the broker at \(connection.bootstrapServers) did not answer the last refresh: \(error)")
            throw ExitCode(1)
        }
    }
}
