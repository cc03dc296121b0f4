import Redaction

extension RandomUserClient {
    /// Why a fetch failed for good. URLs are shown with any password replaced.
    public enum FetchError: Error, Sendable, CustomStringConvertible {
        /// Every attempt failed in a way that could pass (timeouts, 5xx, refused connections, the API's own error body).
        case gaveUp(url: String, attempts: Int, lastCause: RetryCause)
        /// An HTTP status the same request will get again (4xx other than 408 and 429).
        case rejected(url: String, status: Int, body: String)
        /// Redirects that come back to where they started, or never end.
        case redirectLoop(url: String)
        /// A body larger than the client accepts.
        case bodyTooLarge(url: String, limit: Int)
        case invalidCount(Int)
        case invalidURL(String)

        /// Whether asking again cannot change the answer: a caller should stop rather than retry.
        public var isPermanent: Bool {
            if case .gaveUp = self { return false }
            return true
        }

        public var description: String {
            switch self {
            case .gaveUp(let url, let attempts, let cause):
                "gave up on \(url) after \(attempts) attempts; last failure: \(cause) — is the API up?"
            case .rejected(let url, let status, let body):
                "\(url) answered HTTP \(status) (\(body)); this is not retried — check the API URL and its parameters"
            case .redirectLoop(let url):
                "\(url) redirects in a loop (or too many times); this is not retried — check the API URL"
            case .bodyTooLarge(let url, let limit):
                "\(url) sent a response body over \(limit) bytes, more than any users page needs; this is not retried"
            case .invalidCount(let count):
                "cannot fetch \(count) users in one request; use 1…\(RandomUserClient.maxResults)"
            case .invalidURL(let url): "\(url) is not an http(s) URL — use e.g. https://randomuser.me/api/"
            }
        }

        /// `text` with the password of any `scheme://user:password@` replaced, for messages.
        package static func redacted(_ text: String) -> String {
            URLRedaction.redacted(text)
        }
    }
}
