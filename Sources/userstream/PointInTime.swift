import ArgumentParser
import Foundation

/// A time given to `dlq` and `verify` (`--since`, `--until`): what `kafka groups reset --to` accepts as a time,
/// ISO-8601 or `DURATION-ago`, never in the future.
enum PointInTime {
    /// Milliseconds since the epoch of `text`, or a usage error naming `flag`.
    static func milliseconds(_ text: String, flag: String, now: Date = Date()) throws -> Int64 {
        do {
            let point = try ResetPoint.parse(text)
            guard case .time(let milliseconds) = try point.offsetSpec(now: now) else {
                throw ResetPoint.Problem.unrecognized(text)
            }
            return milliseconds
        } catch ResetPoint.Problem.unrecognized {
            throw ValidationError("\(flag) '\(text)' is not a time: give ISO-8601 such as 2026-12-07T22:00:00Z, or DURATION-ago such as 15m-ago")
        } catch let problem as ResetPoint.Problem {
            throw ValidationError("\(flag) \(problem)")
        }
    }

    /// How the commands print a record's timestamp.
    static func text(_ milliseconds: Int64) -> String {
        ResetPoint.format(Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
