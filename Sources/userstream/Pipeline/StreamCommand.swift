import ArgumentParser
import Foundation
import Kafka
import ServiceLifecycle
import Synchronization
import UserPipeline
import UserSinks

/// `userstream stream`: Kafka → validated users in the sink, bad records to the dead-letter topic.
struct StreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Consume users from Kafka, validate them and store them in the sink; bad records go to the dead-letter topic.",
        discussion: "Several copies with the same --group share the topic's partitions. Offsets are committed only after "
            + "the sink (and the dead-letter topic) acknowledged every record before them. SIGTERM finishes the batch in "
            + "progress, commits and leaves the group (the group's leader lets its session expire instead)."
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var stream: StreamOptions
    @OptionGroup var sink: SinkOptions
    @OptionGroup var http: HTTPOptions
    @OptionGroup var stop: StopOptions

    func run() async throws {
        MemoryBudget.applyToLongRunningProcess()
        let kafka = try connection.kafkaConfiguration()
        let location = try sink.location()
        let observability = try stream.target.observability(http: http, kafka: kafka, sink: location)
        let idle = try stream.untilIdle.map { Duration(seconds: $0) }
        let offsetReset = try stream.offsetReset
        let progress = Mutex<(@Sendable () -> String)?>(nil)
        let lifecycle = CommandLifecycle(grace: try stop.stopTimeout, onGraceExpired: {
            let line = progress.withLock { $0?() } ?? "consumed=0"
            print("userstream: stream \(line) — stopped before the batch in progress was stored; "
                + "its offsets stay uncommitted, so it is delivered again")
            fflush(nil)
        })
        let target = stream.target
        // Signals count from the start: opening a locked sink or joining the group can take a while,
        // and a signal cancels them. Once the runner runs, it stops itself on the group's shutdown.
        let outcome = try await closing(observability.close) { await lifecycle.run(alongside: observability.services, stopping: {}) { () async throws -> StreamRunner? in
            let runner: StreamRunner
            do {
                runner = try await cancelWhenGracefulShutdown {
                    try await StreamRunner.start(kafka: kafka, target: target, sink: location, metrics: observability.metrics,
                                                 offsetReset: offsetReset, assignmentWait: idle,
                                                 beforeJoining: { try await DeadLetterTopic.ensure(target, kafka: kafka) })
                }
            } catch where lifecycle.received != nil {
                return nil
            }
            progress.withLock { $0 = { runner.processor.snapshot.line } }
            do {
                _ = try await closing(runner.close) {
                    try await Progress().reporting({ "stream: " + runner.processor.snapshot.line + runner.worstLag }) { try await runner.run(idleTimeout: idle) }
                }
            } catch is CancellationError where lifecycle.received != nil {
                return nil  // stopped while joining the group
            }
            return runner
        } }
        switch outcome {
        case .success(let runner?):
            print("userstream: stream \(runner.processor.snapshot.line)")
        case .success(nil):
            print("userstream: stream consumed=0 — stopped before the sink and the group were ready")
        case .failure(let error):
            throw error
        }
    }
}

/// The flags that say what `stream` reads and where rejects go.
struct StreamOptions: ParsableArguments {
    @OptionGroup var topics: TopicOptions

    @Option(name: .customLong("group"), help: "Consumer group; copies with the same group share the partitions; default userstream (env USERSTREAM_GROUP).")
    private var groupOption: String?
    var group: String { groupOption ?? StreamTarget.defaultGroup }

    var target: StreamTarget { topics.target(group: group) }

    @Option(name: .customLong("until-idle"), help: "Exit once no record arrived for this many seconds (for jobs and tests; env USERSTREAM_UNTIL_IDLE).")
    private var untilIdleOption: Double?
    var untilIdle: Double? { get throws { try NumberSetting.seconds("--until-idle", variable: "USERSTREAM_UNTIL_IDLE").resolve(untilIdleOption) } }

    @Option(name: .customLong("offset-reset"), help: "Where to go on when a partition's position is outside its log (records deleted, topic re-created): earliest, latest or fail; default earliest (env USERSTREAM_OFFSET_RESET).")
    private var offsetResetOption: String?
    var offsetReset: OffsetResetPolicy {
        get throws {
            guard let text = offsetResetOption ?? Environment.string("USERSTREAM_OFFSET_RESET") else { return .earliest }
            guard let policy = OffsetResetPolicy(rawValue: text) else {
                let source = offsetResetOption == nil ? "USERSTREAM_OFFSET_RESET" : "--offset-reset"
                throw ValidationError("\(source) \(text) is not a policy — use earliest, latest or fail")
            }
            return policy
        }
    }

    func validate() throws {
        _ = try untilIdle
        _ = try offsetReset
    }
}

extension StreamTarget {
    /// The metrics and, with --http, the status endpoint watching this stream's topic, group and sink.
    func observability(http: HTTPOptions, kafka: KafkaConfiguration, sink: SinkLocation) throws -> Observability {
        try Observability(http: http, kafka: kafka, topic: topic, group: group, dlqTopic: deadLetterTopic, sink: sink)
    }
}
