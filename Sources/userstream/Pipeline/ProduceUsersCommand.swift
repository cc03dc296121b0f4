import ArgumentParser
import Foundation
import Kafka
import UserContract
import UserPipeline
import RandomUserAPI
import Metering
import ServiceLifecycle
import ServiceScope

/// `userstream produce`: the DAG's job — users from the API into Kafka.
struct ProduceUsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Fetch users from the randomuser API and publish them to Kafka (the Airflow DAG's job).",
        discussion: "Runs for --duration seconds (the seed's 60) or until --count users are published, then flushes. "
            + "Ends with a summary line; exits non-zero when any user could not be delivered or none was published."
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .customLong("api"), help: "The randomuser-compatible API; default https://randomuser.me/api/ (env USERSTREAM_API).")
    private var apiOption: String?
    var api: String { apiOption ?? Environment.string("USERSTREAM_API") ?? "https://randomuser.me/api/" }

    @Option(name: .customLong("topic"), help: "Topic to publish to; default users_created (env USERSTREAM_TOPIC).")
    private var topicOption: String?
    var topic: String { topicOption ?? Environment.string("USERSTREAM_TOPIC") ?? UsersCreatedContract.defaultTopic }

    @Option(name: .customLong("duration"), help: "Seconds to run when no --count is given; default 60 (env USERSTREAM_DURATION).")
    private var durationOption: Double?
    var duration: Double { get throws { try Settings.duration.resolve(durationOption, default: 60) } }

    func validate() throws {
        _ = try duration
        try TopicName.validate(topic, from: topicOption != nil ? "--topic" : "USERSTREAM_TOPIC")
    }

    @OptionGroup var ingest: IngestOptions

    @OptionGroup var stop: StopOptions

    func run() async throws {
        let (api, apiTimeout, kafka) = (api, Duration(seconds: try ingest.apiTimeout), try connection.kafkaConfiguration())
        let settings = try ingest.settings(topic: topic, duration: try duration)
        let lifecycle = CommandLifecycle(grace: try stop.stopTimeout, onGraceExpired: {
            print("userstream: produce stopped before every fetched user was delivered; see the last progress line")
            fflush(nil)
        })
        let summary: IngestSummary
        do {
            // The ingest stops itself on the group's shutdown and delivers what it fetched.
            summary = try await lifecycle.run(stopping: {}) {
                try await Self.produce(api: api, apiTimeout: apiTimeout, kafka: kafka, settings: settings)
            }.get()
        } catch {
            // Stopped on request: the summary is printed; say so without calling the stop an error.
            guard let code = lifecycle.exitCode else { throw error }
            throw ExitCode(code)
        }
        if let code = lifecycle.exitCode {
            print("userstream: produce \(summary.line) (stopped by a signal)")
            throw ExitCode(code)
        }
        print("userstream: produce \(summary.line)")
        if summary.failed > 0 {
            throw ExitCode(1)
        }
        if summary.published == 0 {
            printError("userstream: produce published no user")
            throw ExitCode(1)
        }
    }

    /// Runs one ingest with progress on standard error; shared with `userstream up`. A graceful
    /// shutdown of the caller's service group stops fetching; the producer runs on until what
    /// was fetched is delivered.
    static func produce(api: String, apiTimeout: Duration, kafka: KafkaConfiguration, settings: IngestSettings,
                        progress: Progress? = Progress(), metrics: PipelineMetrics = PipelineMetrics()) async throws -> IngestSummary {
        let producer = try await KafkaProducer(configuration: kafka)
        let client = RandomUserClient(configuration: .init(url: api, requestTimeout: apiTimeout))
        let ingest = UserIngest(client: client, producer: producer, settings: settings, metrics: metrics)
        do {
            return try await whileRunning(producer) {
                try await cancelWhenGracefulShutdown {
                    if let progress {
                        try await progress.reporting({ "produce: " + ingest.snapshot.line }) { try await ingest.run() }
                    } else {
                        try await ingest.run()
                    }
                }
            }
        } catch {
            print("userstream: produce \(ingest.snapshot.line)")
            throw HintedError.ingest(error)
        }
    }
}
