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

    @Option(help: "Publish exactly this many users, however long it takes (env USERSTREAM_COUNT).")
    var count: Int? = Environment.int("USERSTREAM_COUNT")

    @Option(help: "Users per API request, 1…5000 (env USERSTREAM_BATCH).")
    var batch: Int = Environment.int("USERSTREAM_BATCH") ?? 500

    @Option(help: "API requests in flight at once (env USERSTREAM_CONCURRENCY).")
    var concurrency: Int = Environment.int("USERSTREAM_CONCURRENCY") ?? 4

    @Option(help: "Seconds before an API request times out (env USERSTREAM_API_TIMEOUT).")
    var apiTimeout: Double = Environment.double("USERSTREAM_API_TIMEOUT") ?? 10

    func validate() throws {
        guard (1...5000).contains(batch) else { throw ValidationError("--batch must be 1…5000 (the API's limit), got \(batch)") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1, got \(concurrency)") }
        guard duration > 0 else { throw ValidationError("--duration must be positive, got \(duration)") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
        guard apiTimeout > 0 else { throw ValidationError("--api-timeout must be positive, got \(apiTimeout)") }
    }

    func run() async throws {
        let settings = IngestSettings(
            topic: topic, stop: count.map { .count($0) } ?? .after(Duration(seconds: duration)),
            batchSize: batch, concurrency: concurrency)
        let summary = try await Self.produce(
            api: api, apiTimeout: Duration(seconds: apiTimeout), kafka: try connection.kafkaConfiguration(), settings: settings)
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
                        progress: Progress? = Progress()) async throws -> IngestSummary {
        let producer = try await KafkaProducer(configuration: kafka)
        let client = RandomUserClient(configuration: .init(url: api, requestTimeout: apiTimeout))
        let ingest = UserIngest(client: client, producer: producer, settings: settings)
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
