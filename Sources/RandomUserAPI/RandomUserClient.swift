import AsyncHTTPClient
import Foundation
import NIOCore
import Retry
import UserContract

/// Fetches users from randomuser.me (or the stand-in API), retrying what is worth retrying.
public struct RandomUserClient: Sendable {
    /// The most users one request returns on randomuser.me.
    public static let maxResults = 5000

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
        /// The API's own error body with a success status: randomuser.me answers so while it is
        /// offline or has server issues, so it passes.
        case apiError(message: String)

        public var description: String {
            switch self {
            case .rateLimited: "429 Too Many Requests"
            case .serverError(let status): "HTTP \(status)"
            case .timeout: "timed out"
            case .connection(let detail): "connection failed (\(detail))"
            case .invalidBody(let detail): "invalid response body (\(detail))"
            case .apiError(let message): "the API answered: \(message)"
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
        /// Results skipped because they lacked what the contract needs, by the first field that
        /// was missing or unusable (`location.postcode`; `result` for a result that is no object).
        public var invalidReasons: [String: Int]
        /// Results skipped, all reasons together.
        public var invalidResults: Int { invalidReasons.values.reduce(0, +) }
        /// Attempts that failed and were retried before this batch arrived.
        public var retries: Int
        public var info: RandomUserResponse.Info?
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

    /// Fetches `count` users (1…5000) of `page` under `seed` (a random seed when `nil`);
    /// `onRetry` hears about this fetch's retries besides the client's own observer.
    public func fetch(count: Int, seed: String? = nil, page: Int? = nil,
                      onRetry fetchRetry: @Sendable (RetryEvent) -> Void = { _ in }) async throws -> Batch {
        guard (1...Self.maxResults).contains(count) else { throw FetchError.invalidCount(count) }
        let url = try requestURL(count: count, seed: seed, page: page)
        var retries = 0
        for attempt in 1...configuration.retry.maxAttempts {
            let outcome = await attemptWithinDeadline(url: url, count: count)
            switch outcome {
            case .success(var batch):
                batch.retries = retries
                return batch
            case .failed(let error):
                throw error
            case .retry(let cause, let retryAfter):
                try Task.checkCancellation()
                guard attempt < configuration.retry.maxAttempts else {
                    throw FetchError.gaveUp(url: FetchError.redacted(url), attempts: attempt, lastCause: cause)
                }
                let delay = configuration.retry.delay(
                    afterAttempt: attempt, retryAfter: retryAfter, jitter: Double.random(in: 0..<1))
                let event = RetryEvent(url: url, attempt: attempt, cause: cause, delay: delay)
                onRetry(event)
                fetchRetry(event)
                retries += 1
                try await Task.sleep(for: delay)
            }
        }
        preconditionFailure("the retry loop returns or throws")
    }

    private enum AttemptOutcome: Sendable {
        case success(Batch)
        /// An answer that the same request will get again: not retried.
        case failed(FetchError)
        case retry(RetryCause, retryAfter: Duration?)
    }

    /// One attempt, the response body included, bounded by the request timeout: the HTTP
    /// client's own deadline ends at the response head, so a server dripping its body
    /// would otherwise hold the attempt for as long as it likes.
    private func attemptWithinDeadline(url: String, count: Int) async -> AttemptOutcome {
        let timeout = configuration.requestTimeout
        return await withTaskGroup(of: AttemptOutcome?.self) { group in
            group.addTask { await self.attemptFetch(url: url, count: count) }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return nil }
                return .retry(.timeout, retryAfter: nil)
            }
            defer { group.cancelAll() }
            for await outcome in group {
                if let outcome { return outcome }
            }
            return .retry(.timeout, retryAfter: nil)
        }
    }

    private func attemptFetch(url: String, count: Int) async -> AttemptOutcome {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let timeout = TimeAmount(configuration.requestTimeout)
        let shownURL = FetchError.redacted(url)
        let body: ByteBuffer
        let status: Int
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            status = Int(response.status.code)
            if response.status == .tooManyRequests {
                return .retry(.rateLimited, retryAfter: RetryPolicy.retryAfter(header: response.headers.first(name: "Retry-After")))
            }
            // A declared size over the limit fails before a byte of it is read.
            if let declared = response.headers.first(name: "Content-Length").flatMap(Int.init), declared > configuration.maxBodyBytes {
                return .failed(.bodyTooLarge(url: shownURL, limit: configuration.maxBodyBytes))
            }
            body = try await response.body.collect(upTo: configuration.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            return .failed(.bodyTooLarge(url: shownURL, limit: configuration.maxBodyBytes))
        } catch let error as HTTPClientError where error == .redirectCycleDetected || error == .redirectLimitReached {
            return .failed(.redirectLoop(url: shownURL))
        } catch let error as HTTPClientError where Self.isTimeout(error) {
            return .retry(.timeout, retryAfter: nil)
        } catch {
            return .retry(.connection(FetchError.redacted(String(describing: error))), retryAfter: nil)
        }
        switch status {
        case 200..<300:
            do {
                return .success(try RandomUserClient.users(in: body, reserving: count))
            } catch {
                if let message = RandomUserResponseParser.errorMessage(in: body) {
                    return .retry(.apiError(message: FetchError.redacted(message)), retryAfter: nil)
                }
                return .retry(.invalidBody("\(body.readableBytes) bytes that are not a randomuser response"), retryAfter: nil)
            }
        case 408, 500..<600:
            return .retry(status == 408 ? .timeout : .serverError(status: status), retryAfter: nil)
        default:
            let shown = RandomUserResponseParser.errorMessage(in: body)
                ?? String(decoding: body.readableBytesView.prefix(200), as: UTF8.self)
            return .failed(.rejected(url: shownURL, status: status, body: shown))
        }
    }

    /// Reads and formats the users of a response body as it parses it; results that cannot be
    /// formatted are counted as invalid, by reason.
    static func users(in body: ByteBuffer, reserving count: Int) throws -> Batch {
        var users: [User] = []
        users.reserveCapacity(count)
        var invalid: [String: Int] = [:]
        let info = try body.withUnsafeReadableBytes { bytes in
            try RandomUserResponseParser.parse(bytes.assumingMemoryBound(to: UInt8.self)) { result in
                guard let result else {
                    invalid["result", default: 0] += 1
                    return
                }
                do throws(UserFormatter.MissingField) {
                    users.append(try UserFormatter.format(result))
                } catch {
                    invalid[error.path, default: 0] += 1
                }
            }
        }
        return Batch(users: users, invalidReasons: invalid, retries: 0, info: info)
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
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else { throw FetchError.invalidURL(FetchError.redacted(base)) }
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
