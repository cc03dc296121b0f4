import Kafka
import UserPipeline

/// A library's error with what to do about it, in this command line's own flags.
struct HintedError: Error, CustomStringConvertible {
    let error: any Error
    let hint: String
    var description: String { "\(error) — \(hint)" }

    /// `error` with a hint when one is known for it; else `error` itself.
    static func ingest(_ error: any Error) -> any Error {
        guard let failure = error as? UserIngest.IngestError else { return error }
        switch failure {
        case .apiUnavailable:
            return HintedError(error: error, hint: "check --api (env USERSTREAM_API) and that the API answers; a slow one needs a larger --api-timeout")
        case .apiRejected:
            return HintedError(error: error, hint: "asking again cannot change this answer: check --api (env USERSTREAM_API)")
        case .publishFailed:
            return HintedError(error: error, hint: "check --bootstrap-servers and --topic, and that the broker is up")
        }
    }
}

/// A failure a command found itself, not a usage error: its text says what to check.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
