import ArgumentParser
import EmbeddedBroker
import Foundation
import Kafka
import Logging
import UserPipeline
import UserContract
import StandInAPI
import UserSinks
import Metering
import ServiceLifecycle
import Synchronization

/// `userstream up`: the whole pipeline on one machine — Tansu, the stand-in API, produce and
/// stream into SQLite — with progress, then a summary and a few stored users.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run the pipeline on this machine: embedded Tansu broker, stand-in API (or --api), produce and stream into the sink.",
        discussion: "Stops the broker on exit; its topics live in memory. The sink (default sqlite:data/users.db) keeps the users."
    )

    @Option(name: .customLong("api"), help: "Use this randomuser-compatible API instead of starting the stand-in one (env USERSTREAM_API).")
    private var apiOption: String?
    var api: String? { apiOption ?? Environment.string("USERSTREAM_API") }

    @Option(name: .customLong("duration"), help: "Seconds of producing when no --count is given; default 10 (env USERSTREAM_DURATION).")
    private var durationOption: Double?
    var duration: Double { get throws { try Settings.duration.resolve(durationOption, default: 10) } }

    @OptionGroup var ingest: IngestOptions

    @Option(name: .customLong("partitions"), help: "Partitions of the users topic; default 3 (env USERSTREAM_PARTITIONS).")
    private var partitionsOption: Int?
    var partitions: Int32 { get throws { Int32(try Settings.partitions.resolve(partitionsOption, default: 3)) } }

    @Option(name: .customLong("tansu"), help: "The Tansu broker binary; default: the one scripts/setup.sh installs in .venv, here or in the checkout this binary was built in, else PATH (env USERSTREAM_TANSU).")
    private var tansuOption: String?
    var tansu: String? { tansuOption ?? Environment.string("USERSTREAM_TANSU") }

    @Option(help: "Broker port on 127.0.0.1; 0 picks a free one.")
    var brokerPort: Int = 0

    @Option(help: "Folder for the broker's log.")
    var logDirectory: String = "logs"

    @OptionGroup var topics: TopicOptions
    @OptionGroup var sink: SinkOptions
    @OptionGroup var http: HTTPOptions
    @OptionGroup var stop: StopOptions

    func validate() throws {
        _ = try (duration, partitions)
        _ = try Settings.port.named("--broker-port").resolve(brokerPort)
    }

    func run() async throws {
        // Absolute: the broker runs in another working directory.
        guard let binary = tansu.map({ URL(fileURLWithPath: $0).path }) ?? TansuBinary.find() else {
            let venvs = TansuBinary.searchedCheckouts.map { "\($0)/.venv" }.joined(separator: ", ")
            throw ValidationError("no Tansu broker found in \(venvs) or PATH — run scripts/setup.sh in the checkout, or pass --tansu PATH (env USERSTREAM_TANSU)")
        }
        let location = try sink.location()
        try createLogDirectory()
        // The broker itself refuses a users record that breaks the contract.
        let topic = topics.topic
        let registry = try BrokerSchemaRegistry.write(topic: topic, into: "\(logDirectory)/schema-registry")
        let broker = try EmbeddedBroker(binary: binary, port: brokerPort, log: "\(logDirectory)/tansu.log", schemaRegistry: registry.url)
        let lifecycle = CommandLifecycle(grace: try stop.stopTimeout, onGraceExpired: {
            print("userstream: up stopped before the work in progress finished; the sink keeps what was stored")
            fflush(nil)
            broker.stop()
        })
        let kafka = KafkaConfiguration(bootstrapServers: [broker.address])
        let target = topics.target(group: StreamTarget.defaultGroup)
        let observability = try target.observability(http: http, kafka: kafka, sink: location)
        // The broker, the stand-in API and the status endpoint are services of the same group:
        // shut down after the pipeline, which uses them, the broker last.
        let (standInURLs, listening) = AsyncStream.makeStream(of: String.self)
        var services: [any Service] = [broker]
        if api == nil {
            services.append(StandInUserAPI(configuration: .init(port: 0), logger: .quiet("userstream.stand-in-api"))
                .application { listening.yield($0) })
        }
        let command = self
        do {
            try await closing(observability.close) {
                // Each stage stops itself on the group's shutdown: the stream and the ingest finish what they hold.
                try await lifecycle.run(alongside: services + observability.services, stopping: {}) {
                    try await cancelWhenGracefulShutdown { try await broker.ready() }
                    printError("userstream: broker Tansu on \(broker.address), enforcing the users contract on \(topic)")
                    try await command.runPipeline(kafka: kafka, target: target, sink: location, observability: observability,
                                                  standInURLs: standInURLs, stopped: { lifecycle.received != nil })
                }.get()
            }
        } catch {
            // Stopped on request: the summary is printed; the stop is no error.
            guard let code = lifecycle.exitCode else { throw error }
            throw ExitCode(code)
        }
    }

    /// Creates the folder for the broker's log and schemas, or says which folder cannot be written
    /// and the flag that moves it (a checkout or folder the user may not write, say).
    private func createLogDirectory() throws {
        let folder = URL(fileURLWithPath: logDirectory).standardizedFileURL.path
        let problem: String
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            guard !FileManager.default.isWritableFile(atPath: folder) else { return }
            problem = "permission denied"
        } catch {
            problem = (error as NSError).localizedDescription
        }
        throw CommandFailure("cannot use \(folder) for the broker's log: the folder is not writable (\(problem)) — choose another --log-directory DIR")
    }

    /// `stopped` says whether a signal stopped the command.
    private func runPipeline(kafka: KafkaConfiguration, target: StreamTarget, sink location: SinkLocation,
                             observability: Observability, standInURLs: AsyncStream<String>,
                             stopped: @escaping @Sendable () -> Bool) async throws {
        let (api, partitions) = (api, try partitions)
        let apiURL = try await cancelWhenGracefulShutdown {
            var apiURL = api
            if apiURL == nil {
                for await url in standInURLs {
                    apiURL = url
                    break
                }
            }
            guard let apiURL else { throw CommandFailure("the stand-in API did not start") }
            printError("userstream: users API \(apiURL)\(api == nil ? " (stand-in)" : "")")
            try await KafkaAdmin.withAdmin(configuration: kafka) { admin in
                for name in [target.topic, target.deadLetterTopic] {
                    _ = try await SetupCommand.ensureTopic(NewTopic(name: name, partitions: partitions), admin: admin)
                }
            }
            printError("userstream: sink " + (try await location.setUp(logger: Logger(label: "userstream.sink"))))
            return apiURL
        }
        try await produceAndStream(api: apiURL, kafka: kafka, target: target, sink: location, metrics: observability.metrics, stopped: stopped)
        await observability.holdOpen()
    }

    /// Produces the users and streams them into the sink, then prints the summary and samples.
    private func produceAndStream(api apiURL: String, kafka: KafkaConfiguration, target: StreamTarget, sink location: SinkLocation,
                                  metrics: PipelineMetrics, stopped: @Sendable () -> Bool) async throws {
        let settings = try ingest.settings(topic: target.topic, duration: try duration)
        let apiTimeout = Duration(seconds: try ingest.apiTimeout)
        let started = Mutex<StreamRunner?>(nil)
        let report: (produced: IngestSummary, rows: Int, sample: [User], streamed: StreamSummary)
        do {
            report = try await withThrowingTaskGroup(of: IngestSummary?.self) { tasks in
                // Producing starts at once, alongside the group join that Tansu holds for about 1.5 s.
                tasks.addTask {
                    try await ProduceUsersCommand.produce(api: apiURL, apiTimeout: apiTimeout, kafka: kafka, settings: settings,
                                                          progress: nil, metrics: metrics)
                }
                let runner: StreamRunner
                do {
                    runner = try await cancelWhenGracefulShutdown {
                        try await StreamRunner.start(kafka: kafka, target: target, sink: location, metrics: metrics, session: Self.session,
                                                     beforeJoining: { try await DeadLetterTopic.ensure(target, kafka: kafka) })
                    }
                } catch where stopped() {
                    try? await tasks.waitForAll()  // the ingest delivers what it fetched
                    throw CancellationError()
                }
                started.withLock { $0 = runner }
                // A group of its own, shut down here once the stream caught up or the command stops,
                // so that the stream's consumer leaves the group either way.
                let stream = ServiceGroup(configuration: .init(services: [runner], logger: .quiet("userstream.up.stream", from: .notice)))
                return try await closing(runner.close) {
                    tasks.addTask {
                        try await stream.run()
                        return nil
                    }
                    let produced: IngestSummary
                    do {
                        produced = try await Progress().reporting({ "up: producing, \(Self.progressLine(runner))" }) {
                            try await Self.summary(of: &tasks)
                        }
                        printError("userstream: produce \(produced.line)")
                        try await cancelWhenGracefulShutdown {
                            try await Progress().reporting({ "up: catching up, \(Self.progressLine(runner))" }) {
                                try await Self.awaitCatchUp(runner.processor, published: produced.published)
                            }
                        }
                    } catch {
                        // The stream finishes its batch and delivers its dead letters before the group is left.
                        await stream.triggerGracefulShutdown()
                        try? await tasks.waitForAll()
                        throw stopped() ? CancellationError() : error
                    }
                    // Caught up: every batch and its dead letters are done; the stream leaves the group.
                    await stream.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                    return (produced, try await runner.store.count(), try await runner.store.query(limit: 3), runner.processor.snapshot)
                }
            }
        } catch {
            // A signal: before the stream started (the sink and topics checked, the group joined)
            // nothing was stored yet.
            if stopped() {
                let line = started.withLock { $0 }.map { Self.progressLine($0) } ?? "stored=0 dead_lettered=0 commits=0"
                print("userstream: up stopped before it finished: \(line) sink=\(location)")
            }
            throw error
        }
        let (produced, streamed) = (report.produced, report.streamed)
        print("userstream: up published=\(produced.published) stored=\(streamed.stored) dead_lettered=\(streamed.deadLettered) "
            + "rows_in_sink=\(report.rows) sink=\(location) produce_users/s=\(Int(produced.usersPerSecond.rounded()))")
        for user in report.sample {
            print("  \(user.id)  \(user.firstName) \(user.lastName)  \(user.email)  \(user.postCode)")
        }
        fflush(nil)  // with --http the process stays up; the summary must not wait in a buffer
        if produced.published == 0 || produced.failed > 0 { throw ExitCode(1) }
    }

    /// The producer's summary, the first result of `tasks` that is one; a failure of the stream
    /// meanwhile ends the run.
    private static func summary(of tasks: inout ThrowingTaskGroup<IngestSummary?, any Error>) async throws -> IngestSummary {
        while let result = try await tasks.next() {
            if let summary = result { return summary }
        }
        throw CommandFailure("the producer did not report")
    }

    /// The only member of a group on its own broker. Tansu holds a new group's first join for
    /// about 1.5 s with sessions up to 2 s and longer above; heartbeats every 0.5 s keep a 2 s session.
    static let session = (timeout: Duration.seconds(2), heartbeat: Duration.milliseconds(500))

    private static func progressLine(_ runner: StreamRunner) -> String {
        let s = runner.processor.snapshot
        return "stored=\(s.stored) dead_lettered=\(s.deadLettered) commits=\(s.commits)" + runner.worstLag
    }

    /// Returns once the stream has consumed what was published; fails when it makes no progress
    /// for 60 s or ends short of it.
    private static func awaitCatchUp(_ processor: StreamProcessor, published: Int) async throws {
        guard processor.snapshot.consumed < published else { return }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await consumed in processor.progress where consumed >= published { return }
                throw CommandFailure("the stream processor ended at \(processor.snapshot.consumed) of \(published) users")
            }
            group.addTask {
                var last = processor.snapshot.consumed
                while true {
                    try await Task.sleep(for: .seconds(60))
                    let consumed = processor.snapshot.consumed
                    if consumed == last { throw CommandFailure("the stream processor stopped at \(consumed) of \(published) users for 60 s") }
                    last = consumed
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}
