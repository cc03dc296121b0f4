import AsyncHTTPClient
import Foundation
import NIOCore

/// Fetches users from randomuser.me (or the stand-in API), retrying what is worth retrying.
public struct RandomUserClient: Sendable {
    /// Where to fetch from and how patiently.
    public struct Configuration: Sendable {
        /// The API endpoint, e.g. `https://randomuser.me/api/`.
        public var url: String
        /// Deadline of one request, body included.
        public var requestTimeout: Duration
        public var retry: RetryPolicy
        /// Largest accepted response body.
        public var maxBodyBytes: Int

        /// Creates a configuration.
        public init(
            url: String = "https://randomuser.me/api/", requestTimeout: Duration = .seconds(30),
            retry: RetryPolicy = RetryPolicy(), maxBodyBytes: Int = 64 << 20
        ) {
            self.url = url
            self.requestTimeout = requestTimeout
            self.retry = retry
            self.maxBodyBytes = maxBodyBytes
        }
    }

    /// What went wrong with one attempt that will be retried.
    public enum RetryCause: Sendable, Equatable, CustomStringConvertible {
        case rateLimited
        case serverError(status: Int)
        case timeout
        case connection(String)
        case invalidBody(String)

        public var description: String {
            switch self {
            case .rateLimited: "429 Too Many Requests"
            case .serverError(let status): "HTTP \(status)"
            case .timeout: "timed out"
            case .connection(let detail): "connection failed (\(detail))"
            case .invalidBody(let detail): "invalid response body (\(detail))"
            }
        }
    }

    /// A retry about to happen, reported to `onRetry`.
    public struct RetryEvent: Sendable {
        public var url: String
        /// The attempt that failed (1-based).
        public var attempt: Int
        public var cause: RetryCause
        /// The pause before the next attempt.
        public var delay: Duration
    }

    /// The users of one successful fetch.
    public struct Batch: Sendable {
        public var users: [User]
        /// Results skipped because they lacked what the contract needs.
        public var invalidResults: Int
        /// Attempts that failed and were retried before this batch arrived.
        public var retries: Int
        public var info: RandomUserResponse.Info?
    }

    /// Why a fetch failed for good.
    public enum FetchError: Error, Sendable, CustomStringConvertible {
        case gaveUp(url: String, attempts: Int, lastCause: RetryCause)
        case rejected(url: String, status: Int, body: String)
        case invalidCount(Int)
        case invalidURL(String)

        public var description: String {
            switch self {
            case .gaveUp(let url, let attempts, let cause):
                "gave up on \(url) after \(attempts) attempts; last failure: \(cause) — is the API up? check --api or raise the retry limit"
            case .rejected(let url, let status, let body):
                "\(url) answered HTTP \(status) (\(body)); this is not retried — check the --api URL and its parameters"
            case .invalidCount(let count):
                "cannot fetch \(count) users in one request; use 1…\(StandInUserAPI.maxResults) (--batch)"
            case .invalidURL(let url): "\(url) is not an http(s) URL — set --api to e.g. https://randomuser.me/api/"
            }
        }
    }

    public let configuration: Configuration
    private let httpClient: HTTPClient
    private let onRetry: @Sendable (RetryEvent) -> Void

    /// A process-wide HTTP client that fails a connection attempt at once instead of retrying it
    /// until the request deadline, so that this client's own retry loop (with its counting and
    /// backoff) handles refused connections too. It lives as long as the process and is never shut down.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(5)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// Creates a client on `httpClient`; `onRetry` hears about every retry (for logs and summaries).
    public init(
        configuration: Configuration = Configuration(), httpClient: HTTPClient = RandomUserClient.sharedHTTPClient,
        onRetry: @escaping @Sendable (RetryEvent) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.onRetry = onRetry
    }

    /// Fetches `count` users (1…5000) of `page` under `seed` (a random seed when `nil`).
    public func fetch(count: Int, seed: String? = nil, page: Int? = nil) async throws -> Batch {
        guard (1...StandInUserAPI.maxResults).contains(count) else { throw FetchError.invalidCount(count) }
        let url = try requestURL(count: count, seed: seed, page: page)
        var retries = 0
        for attempt in 1...configuration.retry.maxAttempts {
            let outcome = await attemptFetch(url: url, count: count)
            switch outcome {
            case .success(var batch):
                batch.retries = retries
                return batch
            case .rejected(let status, let body):
                throw FetchError.rejected(url: url, status: status, body: body)
            case .retry(let cause, let retryAfter):
                try Task.checkCancellation()
                guard attempt < configuration.retry.maxAttempts else {
                    throw FetchError.gaveUp(url: url, attempts: attempt, lastCause: cause)
                }
                let delay = configuration.retry.delay(
                    afterAttempt: attempt, retryAfter: retryAfter, jitter: Double.random(in: 0..<1))
                onRetry(RetryEvent(url: url, attempt: attempt, cause: cause, delay: delay))
                retries += 1
                try await Task.sleep(for: delay)
            }
        }
        preconditionFailure("the retry loop returns or throws")
    }

    private enum AttemptOutcome {
        case success(Batch)
        case rejected(status: Int, body: String)
        case retry(RetryCause, retryAfter: Duration?)
    }

    private func attemptFetch(url: String, count: Int) async -> AttemptOutcome {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let timeout = TimeAmount.nanoseconds(Int64(configuration.requestTimeout.components.seconds) * 1_000_000_000
            + configuration.requestTimeout.components.attoseconds / 1_000_000_000)
        let body: ByteBuffer
        let status: Int
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            status = Int(response.status.code)
            if response.status == .tooManyRequests {
                return .retry(.rateLimited, retryAfter: RetryPolicy.retryAfter(header: response.headers.first(name: "Retry-After")))
            }
            body = try await response.body.collect(upTo: configuration.maxBodyBytes)
        } catch let error as HTTPClientError where Self.isTimeout(error) {
            return .retry(.timeout, retryAfter: nil)
        } catch {
            return .retry(.connection(String(describing: error)), retryAfter: nil)
        }
        switch status {
        case 200..<300:
            do {
                return .success(try RandomUserClient.users(in: body, reserving: count))
            } catch {
                return .retry(.invalidBody("\(body.readableBytes) bytes that are not a randomuser response"), retryAfter: nil)
            }
        case 408, 500..<600:
            return .retry(status == 408 ? .timeout : .serverError(status: status), retryAfter: nil)
        default:
            return .rejected(status: status, body: String(decoding: body.readableBytesView.prefix(200), as: UTF8.self))
        }
    }

    /// Reads and formats the users of a response body as it parses it; results that cannot be
    /// formatted are counted as invalid.
    static func users(in body: ByteBuffer, reserving count: Int) throws -> Batch {
        var users: [User] = []
        users.reserveCapacity(count)
        var invalid = 0
        let info = try body.withUnsafeReadableBytes { bytes in
            try RandomUserResponseParser.parse(bytes.assumingMemoryBound(to: UInt8.self)) { result in
                if let result, let user = try? UserFormatter.format(result) { users.append(user) } else { invalid += 1 }
            }
        }
        return Batch(users: users, invalidResults: invalid, retries: 0, info: info)
    }

    /// Parses a randomuser.me response body.
    public static func parse(_ body: ByteBuffer) throws -> RandomUserResponse {
        try body.withUnsafeReadableBytes { try RandomUserResponseParser.parse($0.assumingMemoryBound(to: UInt8.self)) }
    }

    private static func isTimeout(_ error: HTTPClientError) -> Bool {
        error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout || error == .writeTimeout
    }

    private func requestURL(count: Int, seed: String?, page: Int?) throws -> String {
        let base = configuration.url
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else { throw FetchError.invalidURL(base) }
        var query = "results=\(count)"
        if let seed { query += "&seed=" + (seed.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? seed) }
        if let page { query += "&page=\(page)" }
        return base + (base.contains("?") ? "&" : "?") + query
    }
}

extension CharacterSet {
    /// Characters that may stand unescaped in a query value.
    fileprivate static let urlQueryValueAllowed: CharacterSet = {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#")
        return allowed
    }()
}
