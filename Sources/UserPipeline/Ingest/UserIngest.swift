import Kafka
import Logging
import NIOCore
import Synchronization
import UserContract
import RandomUserAPI
import Metering

/// The DAG's job: fetch users from the randomuser API, format them and publish them to Kafka,
/// keyed by id, with several API requests in flight; flushes before it returns.
public final class UserIngest: Sendable {
    /// Why a run stopped before its end.
    public enum IngestError: Error, Sendable, CustomStringConvertible {
        case apiUnavailable(url: String, failures: Int, lastError: String)
        /// The API gave an answer that asking again cannot change.
        case apiRejected(RandomUserClient.FetchError)
        case publishFailed(topic: String, reason: KafkaError)

        public var description: String {
            switch self {
            case .apiUnavailable(let url, let failures, let lastError):
                "the users API at \(url) failed \(failures) requests in a row; last: \(lastError)"
            case .apiRejected(let error):
                "\(error)"
            case .publishFailed(let topic, let reason):
                "no user of a batch could be published to '\(topic)': \(reason)"
            }
        }
    }

    public let settings: IngestSettings
    private let client: RandomUserClient
    private let producer: KafkaProducer
    private let summary = Mutex(IngestSummary())
    private let started = ContinuousClock.now
    private let consecutiveFailures = Atomic<Int>(0)
    private let metrics: PipelineMetrics
    private let logger: Logger

    /// An ingest from `client` into `producer`, counting into `metrics`; `logger` hears why API results were skipped.
    public init(client: RandomUserClient, producer: KafkaProducer, settings: IngestSettings, metrics: PipelineMetrics = PipelineMetrics(),
                logger: Logger = Logger(label: "userstream.ingest")) {
        self.client = client
        self.producer = producer
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
    }

    /// The counts so far (for progress lines).
    public var snapshot: IngestSummary {
        var current = summary.withLock { $0 }
        current.elapsed = .now - started
        return current
    }

    /// Runs until the stop condition holds, then flushes; returns the final counts.
    public func run() async throws -> IngestSummary {
        _ = try await producer.cluster.topic(settings.topic)  // a missing topic fails before any fetch
        let quota = UserQuota(stop: settings.stop)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, settings.concurrency) {
                group.addTask { try await self.fetchAndPublish(quota: quota) }
            }
            try await group.waitForAll()
        }
        await producer.flush()
        return snapshot
    }

    private func fetchAndPublish(quota: UserQuota) async throws {
        while let wanted = quota.reserve(settings.batchSize) {
            try Task.checkCancellation()
            let batch: RandomUserClient.Batch
            do {
                batch = try await client.fetch(count: wanted) { self.heard($0.cause) }
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as RandomUserClient.FetchError where error.isPermanent {
                quota.release(wanted)
                summary.withLock { $0.failedRequests += 1 }
                throw IngestError.apiRejected(error)
            } catch {
                quota.release(wanted)
                if case .gaveUp(_, _, let cause) = error as? RandomUserClient.FetchError { heard(cause) }
                try countFailedRequest("\(error)")
                continue
            }
            if batch.users.isEmpty {
                // An answer without one usable user moves the run no closer to its end: without
                // counting it, `--count` would ask forever.
                quota.release(wanted)
                countInvalid(batch.invalidReasons)
                try countFailedRequest("the API answered without a usable user (\(batch.invalidResults) unusable results)")
                continue
            }
            consecutiveFailures.store(0, ordering: .relaxed)
            let users = batch.users.prefix(wanted)
            quota.release(wanted - users.count)
            summary.withLock {
                $0.fetched += users.count
                $0.retries += batch.retries
            }
            countInvalid(batch.invalidReasons)
            metrics.usersFetched.increment(by: users.count)
            metrics.apiRetries.increment(by: batch.retries)
            try await publish(users)
        }
    }

    /// Counts skipped results by reason; says so the first time a reason is met.
    private func countInvalid(_ reasons: [String: Int]) {
        guard !reasons.isEmpty else { return }
        let new = summary.withLock { summary in
            let new = reasons.keys.filter { summary.invalidReasons[$0] == nil }
            summary.invalidReasons.merge(reasons, uniquingKeysWith: +)
            return new
        }
        for field in new.sorted() {
            let what = field == "result" ? "that are not JSON objects" : "whose \(field) is missing, null, of another type or not text"
            logger.warning("skipping API results \(what); counted in the summary as invalid_fields=\(field):N")
        }
    }

    /// Keeps the API's own error message, when that is why a request failed, for the progress line and summary.
    private func heard(_ cause: RandomUserClient.RetryCause) {
        guard case .apiError(let message) = cause else { return }
        summary.withLock { $0.apiError = message }
    }

    /// Counts a failed request; throws once too many failed in a row.
    private func countFailedRequest(_ reason: String) throws {
        summary.withLock { $0.failedRequests += 1 }
        let failures = consecutiveFailures.add(1, ordering: .relaxed).newValue
        if failures >= settings.maxConsecutiveFetchFailures {
            throw IngestError.apiUnavailable(
                url: RandomUserClient.FetchError.redacted(client.configuration.url), failures: failures, lastError: reason)
        }
    }

    private func publish(_ users: ArraySlice<User>) async throws {
        guard !users.isEmpty else { return }
        let records = Self.records(for: users, topic: settings.topic)
        let outcomes = await producer.send(contentsOf: records)
        var published = 0
        var firstError: KafkaError?
        for outcome in outcomes {
            switch outcome {
            case .success: published += 1
            case .failure(let error): firstError = firstError ?? error
            }
        }
        let failed = outcomes.count - published
        summary.withLock {
            $0.published += published
            $0.failed += failed
        }
        metrics.usersPublished.increment(by: published)
        metrics.usersFailed.increment(by: failed)
        // A batch where nothing got through means the topic or the broker is unusable: stop
        // with the broker's reason instead of fetching more users that cannot be delivered.
        if published == 0, let firstError {
            throw IngestError.publishFailed(topic: settings.topic, reason: firstError)
        }
    }

    /// The users as records keyed by id. Key and value share one buffer per user, written
    /// through one reused scratch array: one allocation per user instead of three.
    static func records(for users: ArraySlice<User>, topic: String) -> [ProducerRecord] {
        var scratch: [UInt8] = []
        scratch.reserveCapacity(1024)
        return users.map { user in
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: user.id.utf8)
            let keyLength = scratch.count
            user.appendJSON(to: &scratch)
            let buffer = ByteBuffer(bytes: scratch)
            return ProducerRecord(
                topic: topic, key: buffer.getSlice(at: 0, length: keyLength),
                value: buffer.getSlice(at: keyLength, length: scratch.count - keyLength))
        }
    }
}
