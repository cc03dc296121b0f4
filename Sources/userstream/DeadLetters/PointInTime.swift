import ArgumentParser
import Foundation

/// A time given on the command line: ISO-8601 (`2026-12-07T22:00:00Z`, fractions and offsets
/// allowed) or `DURATION-ago` (`90s-ago`, `15m-ago`, `2h-ago`, `1d-ago`); never in the future.
enum PointInTime {
    private static let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]

    /// Milliseconds since the epoch of `text`, or a usage error naming `flag`.
    static func milliseconds(_ text: String, flag: String, now: Date = Date()) throws -> Int64 {
        guard let date = date(text, now: now) else {
            throw ValidationError("\(flag) '\(text)' is not a time: give ISO-8601 such as 2026-12-07T22:00:00Z, or DURATION-ago such as 15m-ago")
        }
        guard date <= now else { throw ValidationError("\(flag) '\(text)' is in the future") }
        return Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    private static func date(_ text: String, now: Date) -> Date? {
        if text.hasSuffix("-ago") {
            let amount = text.dropLast(4)
            guard let unit = amount.last, let seconds = units[unit], let count = UInt32(amount.dropLast()) else { return nil }
            return now.addingTimeInterval(-Double(count) * seconds)
        }
        return (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
    }

    /// How the commands print a record's timestamp.
    static func text(_ milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
