import ArgumentParser
import Kafka
import UserPipeline

/// `userstream produce`: the DAG's job — users from the API into Kafka.
struct ProduceUsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Fetch users from the randomuser API and publish them to Kafka (the Airflow DAG's job).",
        discussion: "Runs for --duration seconds (the seed's 60) or until --count users are published, then flushes. "
            + "Ends with a summary line; exits non-zero when any user could not be delivered or none was published."
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "The randomuser-compatible API (env USERSTREAM_API).")
    var api: String = Environment.string("USERSTREAM_API") ?? "https://randomuser.me/api/"

    @Option(help: "Topic to publish to (env USERSTREAM_TOPIC).")
    var topic: String = Environment.string("USERSTREAM_TOPIC") ?? "users_created"

    @Option(help: "Seconds to run when no --count is given (env USERSTREAM_DURATION).")
    var duration: Double = Environment.double("USERSTREAM_DURATION") ?? 60

    @OptionGroup var ingest: IngestOptions

    func run() async throws {
        let summary = try await Self.produce(
            api: api, apiTimeout: Duration(seconds: ingest.apiTimeout), kafka: try connection.kafkaConfiguration(),
            settings: try ingest.settings(topic: topic, duration: duration))
        print("userstream: produce \(summary.line)")
        if summary.failed > 0 {
            throw ExitCode(1)
        }
        if summary.published == 0 {
            printError("userstream: produce published no user")
            throw ExitCode(1)
        }
    }

    /// Runs one ingest with progress on standard error; shared with `userstream up`.
    static func produce(api: String, apiTimeout: Duration, kafka: KafkaConfiguration, settings: IngestSettings,
                        progress: Progress? = Progress(), metrics: PipelineMetrics = PipelineMetrics()) async throws -> IngestSummary {
        let producer = try await KafkaProducer(configuration: kafka)
        let client = RandomUserClient(configuration: .init(url: api, requestTimeout: apiTimeout))
        let ingest = UserIngest(client: client, producer: producer, settings: settings, metrics: metrics)
        do {
            let summary = if let progress {
                try await progress.reporting({ "produce: " + ingest.snapshot.line }) { try await ingest.run() }
            } else {
                try await ingest.run()
            }
            await producer.shutdown()
            return summary
        } catch {
            await producer.shutdown()
            print("userstream: produce \(ingest.snapshot.line)")
            throw error
        }
    }
}
