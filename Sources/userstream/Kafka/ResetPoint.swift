import ArgumentParser
import Foundation
import Kafka

/// `--to` of `kafka groups reset`: `earliest`, `latest`, an ISO-8601 time (`2026-12-07T10:00:00Z`)
/// or a time before now (`90s-ago`, `15m-ago`, `2h-ago`, `1d-ago`). Pure: "now" is passed in.
enum ResetPoint: Equatable {
    case earliest
    case latest
    case time(Date)
    case ago(milliseconds: Int64)

    /// Why a `--to` value was refused.
    enum Problem: Error, Equatable, CustomStringConvertible {
        case unrecognized(String)
        case tooFarBack(String)
        case inFuture(Date, now: Date)

        var description: String {
            switch self {
            case .unrecognized(let text):
                "'\(text)' is not earliest, latest, an ISO-8601 time (2026-12-07T10:00:00Z) or DURATION-ago (90s-ago, 15m-ago, 2h-ago, 1d-ago)"
            case .tooFarBack(let text): "'\(text)' is before 1970-01-01T00:00:00Z, the first time a Kafka timestamp can hold"
            case .inFuture(let time, let now):
                "\(ResetPoint.format(time)) is in the future (now is \(ResetPoint.format(now))): no record has been written at or after it yet"
            }
        }
    }

    private static let units: [Character: Int64] = ["s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]

    /// The point `text` names; throws `Problem.unrecognized` for anything else.
    static func parse(_ text: String) throws -> ResetPoint {
        switch text {
        case "earliest": return .earliest
        case "latest": return .latest
        default: break
        }
        if text.hasSuffix("-ago") {
            let amount = text.dropLast("-ago".count)
            guard let unit = amount.last, let milliseconds = units[unit], let count = Int64(amount.dropLast()), count >= 0,
                  amount.first?.isNumber == true else { throw Problem.unrecognized(text) }
            let (total, overflow) = count.multipliedReportingOverflow(by: milliseconds)
            guard !overflow else { throw Problem.tooFarBack(text) }
            return .ago(milliseconds: total)
        }
        guard let time = parseTime(text) else { throw Problem.unrecognized(text) }
        guard time.timeIntervalSince1970 >= 0 else { throw Problem.tooFarBack(text) }
        return .time(time)
    }

    /// Where ListOffsets looks at `now`; throws `Problem.inFuture` for a time after `now`.
    func offsetSpec(now: Date) throws -> OffsetSpec {
        switch self {
        case .earliest: return .earliest
        case .latest: return .latest
        case .time(let time):
            guard time <= now else { throw Problem.inFuture(time, now: now) }
            return .time(milliseconds: Self.milliseconds(time))
        case .ago(let milliseconds):
            let time = Self.milliseconds(now) - milliseconds
            guard time >= 0 else { throw Problem.tooFarBack("\(milliseconds / 1000)s before \(Self.format(now))") }
            return .time(milliseconds: time)
        }
    }

    /// What the point means at `now`, for the report.
    func describe(now: Date) -> String {
        switch self {
        case .earliest: "the earliest offset"
        case .latest: "the latest offset"
        case .time(let time): "the first record at or after \(Self.format(time))"
        case .ago(let milliseconds): "the first record at or after \(Self.format(now.addingTimeInterval(-Double(milliseconds) / 1000)))"
        }
    }

    private static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    private static func parseTime(_ text: String) -> Date? {
        let whole = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return whole.date(from: text) ?? fractional.date(from: text)
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
