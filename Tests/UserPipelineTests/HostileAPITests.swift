import Foundation
import Hummingbird
import Kafka
import KafkaTestSupport
import Logging
import NIOCore
import Synchronization
import ServiceScope
import Testing
@testable import UserPipeline
@testable import Retry
@testable import RandomUserAPI
@testable import StandInAPI

/// An API that misbehaves in the ways a real one can: answers without users, error bodies with
/// status 200, redirect loops, oversized and dripping bodies. Counts the requests it got.
final class HostileAPI: Sendable {
    let requests = Atomic<Int>(0)

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let json: HTTPFields = [.contentType: "application/json"]
        router.get("/empty") { _, _ in
            self.requests.add(1, ordering: .relaxed)
            return Response(status: .ok, headers: json, body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"results":[],"info":{}}"#)))
        }
        router.get("/unusable") { _, _ in
            self.requests.add(1, ordering: .relaxed)
            return Response(status: .ok, headers: json, body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"results":[{"gender":"x"},7]}"#)))
        }
        router.get("/error") { _, _ in
            self.requests.add(1, ordering: .relaxed)
            return Response(status: .ok, headers: json, body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error":"Uh oh, the users API is down for maintenance"}"#)))
        }
        router.get("/outage-then-users") { request, _ in
            // randomuser.me's outage answer twice, then users.
            guard self.requests.add(1, ordering: .relaxed).newValue > 2 else {
                return Response(status: .ok, headers: json, body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error":"Uh oh, something has gone wrong."}"#)))
            }
            let count = request.uri.queryParameters.get("results", as: Int.self) ?? 1
            return Response(status: .ok, headers: json, body: ResponseBody(byteBuffer: ByteBuffer(bytes: RandomUserPageWriter.page(seed: "outage", page: 1, count: count))))
        }
        router.get("/loop") { _, _ in
            self.requests.add(1, ordering: .relaxed)
            return Response(status: .found, headers: [.location: "/loop"])
        }
        router.get("/huge") { _, _ in
            self.requests.add(1, ordering: .relaxed)
            // A valid page padded past the client's limit: only the size is wrong.
            let page = String(decoding: RandomUserPageWriter.page(seed: "huge", page: 1, count: 1), as: UTF8.self)
            let padded = page.dropLast() + #","pad":""# + String(repeating: " ", count: 2 << 20) + #""}"#
            return Response(status: .ok, headers: json, body: ResponseBody(byteBuffer: ByteBuffer(string: String(padded))))
        }
        router.get("/drip") { _, _ in
            self.requests.add(1, ordering: .relaxed)
            // A valid one-user page, one byte every 10 ms: seconds in all.
            let page = RandomUserPageWriter.page(seed: "drip", page: 1, count: 1)
            return Response(status: .ok, headers: json, body: ResponseBody { writer in
                for byte in page {
                    try await writer.write(ByteBuffer(bytes: [byte]))
                    try await Task.sleep(for: .milliseconds(10))
                }
                try await writer.finish(nil)
            })
        }
        return router
    }

    /// Serves on a free loopback port for the duration of `body`, which gets the base URL.
    func serve<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        var logger = Logger(label: "hostile-api")
        logger.logLevel = .critical
        let (urls, continuation) = AsyncStream.makeStream(of: String.self)
        let app = Application(
            router: router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield("http://127.0.0.1:\($0.localAddress?.port ?? 0)") }, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = urls.makeAsyncIterator()
            guard let url = await iterator.next() else { throw CancellationError() }
            defer { group.cancelAll() }
            return try await body(url)
        }
    }
}

@Suite struct HostileAPITests {
    let retry = RetryPolicy(maxAttempts: 8, initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(5))

    /// Serves `api` and asks `path` of it for one user, through `userInfo@` when given; returns the
    /// client's error, or nil if the fetch succeeded.
    func fetchError(from api: HostileAPI, _ path: String, userInfo: String? = nil, timeout: Duration = .seconds(30),
                    maxBodyBytes: Int = 64 << 20, retry: RetryPolicy? = nil) async throws -> RandomUserClient.FetchError? {
        let retry = retry ?? self.retry
        return try await api.serve { base in
            let url = userInfo.map { "http://\($0)@" + base.dropFirst("http://".count) } ?? base
            let client = RandomUserClient(configuration: .init(url: url + path, requestTimeout: timeout, retry: retry, maxBodyBytes: maxBodyBytes))
            do {
                _ = try await client.fetch(count: 1)
                return nil
            } catch let error as RandomUserClient.FetchError {
                return error
            }
        }
    }

    /// Runs an ingest of ten users from `path` of `api` into a fresh topic of a real broker, and
    /// returns how the run ended. The producer runs for the ingest; the admin is shut down however it ends.
    func ingestOutcome(from api: HostileAPI, _ path: String, maxConsecutiveFetchFailures: Int) async throws -> Result<IngestSummary, any Error> {
        let broker = try TansuBroker.start()
        let topic = "users-\(UUID().uuidString.prefix(8))"
        let admin = KafkaAdmin(configuration: broker.configuration)
        do {
            try await admin.createTopics([NewTopic(name: topic, partitions: 1)])
            let producer = try await KafkaProducer(configuration: broker.configuration)
            let outcome: Result<IngestSummary, any Error> = try await whileRunning(producer) {
                try await api.serve { url in
                    let client = RandomUserClient(configuration: .init(url: url + path, retry: retry))
                    let ingest = UserIngest(client: client, producer: producer, settings: IngestSettings(
                        topic: topic, stop: .count(10), batchSize: 5, concurrency: 1, maxConsecutiveFetchFailures: maxConsecutiveFetchFailures))
                    do { return .success(try await ingest.run()) } catch { return .failure(error) }
                }
            }
            await admin.shutdown()
            return outcome
        } catch {
            await admin.shutdown()
            throw error
        }
    }

    @Test func aStatus200ErrorBodyIsRetriedAndNamedWhenItNeverPasses() async throws {
        let api = HostileAPI()
        let error = try await fetchError(from: api, "/error", userInfo: "user:s3cret")
        guard case .gaveUp(_, let attempts, .apiError(let message)) = error else {
            Issue.record("expected gaveUp after the API's error, got \(String(describing: error))")
            return
        }
        #expect(message == "Uh oh, the users API is down for maintenance")
        #expect(attempts == retry.maxAttempts && api.requests.load(ordering: .relaxed) == retry.maxAttempts)
        let text = error.map(String.init(describing:)) ?? ""
        #expect(text.contains("down for maintenance") && !text.contains("s3cret"))
    }

    @Test func aRedirectLoopIsNotRetried() async throws {
        let api = HostileAPI()
        let error = try await fetchError(from: api, "/loop")
        guard case .redirectLoop = error else { Issue.record("expected redirectLoop, got \(String(describing: error))"); return }
        #expect(error?.isPermanent == true)
        // One request, plus the redirects the HTTP client followed before it saw the loop.
        #expect(api.requests.load(ordering: .relaxed) <= 6)
    }

    @Test func aBodyOverTheLimitIsNotRetried() async throws {
        let api = HostileAPI()
        let error = try await fetchError(from: api, "/huge", maxBodyBytes: 1 << 20)
        guard case .bodyTooLarge(_, let limit) = error else { Issue.record("expected bodyTooLarge, got \(String(describing: error))"); return }
        #expect(limit == 1 << 20)
        #expect(api.requests.load(ordering: .relaxed) == 1)
    }

    @Test(.timeLimit(.minutes(1))) func theRequestTimeoutCoversADrippingBody() async throws {
        let api = HostileAPI()
        // The page takes seconds to drip; the timeout is a fraction of that.
        let error = try await fetchError(from: api, "/drip", timeout: .milliseconds(300), retry: RetryPolicy(maxAttempts: 1))
        guard case .gaveUp(_, 1, .timeout) = error else { Issue.record("expected a timeout, got \(String(describing: error))"); return }
    }

    // The limit only ends a run that would ask forever.
    @Test(.timeLimit(.minutes(1)), arguments: ["/empty", "/unusable"])
    func answersWithoutUsableUsersCountAsFailedRequestsAndEndTheRun(path: String) async throws {
        let api = HostileAPI()
        let outcome = try await ingestOutcome(from: api, path, maxConsecutiveFetchFailures: 3)
        guard case .failure(let error as UserIngest.IngestError) = outcome, case .apiUnavailable(_, let failures, let last) = error else {
            Issue.record("expected apiUnavailable, got \(outcome)")
            return
        }
        #expect(failures == 3)
        #expect(last.contains("usable user"))
        #expect(api.requests.load(ordering: .relaxed) == 3)
    }

    @Test func anErrorBodyThenUsersPublishesTheCountAndKeepsTheAPIsMessage() async throws {
        let api = HostileAPI()
        let outcome = try await ingestOutcome(from: api, "/outage-then-users", maxConsecutiveFetchFailures: 1)
        guard case .success(let summary) = outcome else { Issue.record("expected a run that ends, got \(outcome)"); return }
        #expect(summary.published == 10 && summary.retries == 2)
        #expect(summary.apiError == "Uh oh, something has gone wrong.")
        #expect(summary.line.hasSuffix(#" api_error="Uh oh, something has gone wrong.""#))
    }

    @Test func anErrorBodyPastTheRetryBudgetEndsTheRunNamingTheAPIsMessage() async throws {
        let api = HostileAPI()
        let outcome = try await ingestOutcome(from: api, "/error", maxConsecutiveFetchFailures: 2)
        guard case .failure(let error as UserIngest.IngestError) = outcome, case .apiUnavailable(_, 2, let last) = error else {
            Issue.record("expected apiUnavailable after 2 failed requests, got \(outcome)")
            return
        }
        #expect(last.contains("the API answered: Uh oh, the users API is down for maintenance"))
        #expect(api.requests.load(ordering: .relaxed) == 2 * retry.maxAttempts)
    }
}
