import Retry
import UserContract

/// What a `produce` run did, as counted so far.
public struct IngestSummary: Sendable, Equatable {
    /// Users received from the API and formatted.
    public var fetched = 0
    /// Users the broker acknowledged.
    public var published = 0
    /// Users the broker never acknowledged (after the producer's retries).
    public var failed = 0
    /// API results that could not be formatted into a user (skipped), by the first field missing or
    /// unusable (null, of another type, not text).
    public var invalidReasons: [String: Int] = [:]
    /// API results skipped, all reasons together.
    public var invalidResults: Int { invalidReasons.values.reduce(0, +) }
    /// API requests retried (errors, 429s, timeouts, truncated bodies) and absorbed.
    public var retries = 0
    /// API requests that failed even after their retries.
    public var failedRequests = 0
    /// The API's own error message last heard (randomuser.me's `{"error": …}` while it is down).
    public var apiError: String?
    /// Time since the run started.
    public var elapsed: Duration = .zero

    public init() {}

    /// Published users per second over the run.
    public var usersPerSecond: Double {
        let seconds = elapsed.fractionalSeconds
        return seconds > 0 ? Double(published) / seconds : 0
    }

    /// The one-line summary the CLI prints and the Airflow DAG reads (`published=N`).
    public var line: String {
        "fetched=\(fetched) published=\(published) failed=\(failed) invalid=\(invalidResults) "
            + "retries=\(retries) failed_requests=\(failedRequests) "
            + "elapsed=\(Self.seconds(elapsed))s users/s=\(Int(usersPerSecond.rounded()))"
            + (invalidReasons.isEmpty ? "" : " invalid_fields=" + invalidReasons.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","))
            + (apiError.map { " api_error=\(Self.quoted($0))" } ?? "")
    }

    /// `text` as a JSON string, so that the line stays one line whatever the API says.
    static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        JSONTextWriter.appendString(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func seconds(_ duration: Duration) -> String {
        return String(format: "%.1f", duration.fractionalSeconds)
    }
}
