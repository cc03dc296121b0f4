import CivilCalendar

/// Conversions between CQL's day/millisecond/nanosecond counts and ISO 8601 text,
/// in the proleptic Gregorian calendar and UTC (what Cassandra uses), without Foundation formatters.
enum CQLCalendar {
    static let millisecondsPerDay: Int64 = 86_400_000
    static let nanosecondsPerDay: Int64 = 86_400_000_000_000

    /// Parses "YYYY-MM-DD" into days since the epoch.
    static func parseDate(_ text: Substring) -> Int64? {
        var negative = false
        var rest = text
        if rest.first == "-" { negative = true; rest = rest.dropFirst() }
        let parts = rest.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].count == 2, parts[2].count == 2,
              var year = Int64(parts[0]), let month = Int64(parts[1]), let day = Int64(parts[2]) else { return nil }
        if negative { year = -year }
        guard CivilDate.isValid(year: year, month: month, day: day) else { return nil }
        return CivilDate.days(year: year, month: month, day: day)
    }

    /// Parses "HH:MM[:SS[.fraction]]" into nanoseconds since midnight.
    static func parseTime(_ text: Substring) -> Int64? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
              let hour = Int64(parts[0]), let minute = Int64(parts[1]),
              (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        var nanos = (hour * 3600 + minute * 60) * 1_000_000_000
        if parts.count == 3 {
            let secondParts = parts[2].split(separator: ".", omittingEmptySubsequences: false)
            guard secondParts.count <= 2, let second = Int64(secondParts[0]), (0..<61).contains(second) else { return nil }
            nanos += second * 1_000_000_000
            if secondParts.count == 2 {
                let fraction = secondParts[1]
                guard !fraction.isEmpty, fraction.count <= 9, fraction.allSatisfy(\.isASCII),
                      let value = Int64(fraction) else { return nil }
                var scaled = value
                for _ in fraction.count..<9 { scaled *= 10 }
                nanos += scaled
            }
        }
        return nanos
    }

    /// Parses an ISO 8601 timestamp ("1990-05-01T12:00:00.000Z", "1990-05-01 12:00:00+0200",
    /// "1990-05-01") into milliseconds since the epoch; no zone means UTC.
    static func parseTimestamp(_ text: String) -> Int64? {
        let trimmed = Substring(text)
        let datePart: Substring
        var timePart: Substring = ""
        if let separator = trimmed.firstIndex(where: { $0 == "T" || $0 == " " }) {
            datePart = trimmed[..<separator]
            timePart = trimmed[trimmed.index(after: separator)...]
        } else {
            datePart = trimmed
        }
        guard let days = parseDate(datePart) else { return nil }
        var offsetMillis: Int64 = 0
        if timePart.hasSuffix("Z") || timePart.hasSuffix("z") {
            timePart = timePart.dropLast()
        } else if let signIndex = timePart.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let zone = timePart[timePart.index(after: signIndex)...].filter { $0 != ":" }
            guard zone.count == 4 || zone.count == 2, let hours = Int64(zone.prefix(2)),
                  let minutes = Int64(zone.count == 4 ? String(zone.suffix(2)) : "0") else { return nil }
            offsetMillis = (hours * 60 + minutes) * 60_000 * (timePart[signIndex] == "-" ? -1 : 1)
            timePart = timePart[..<signIndex]
        }
        var nanos: Int64 = 0
        if !timePart.isEmpty {
            guard let parsed = parseTime(timePart) else { return nil }
            nanos = parsed
        }
        return days * millisecondsPerDay + nanos / 1_000_000 - offsetMillis
    }

    /// Formats days since the epoch as "YYYY-MM-DD".
    static func formatDate(days: Int64) -> String {
        let (year, month, day) = CivilDate.date(days: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Formats nanoseconds since midnight as "HH:MM:SS.fffffffff".
    static func formatTime(nanoseconds: Int64) -> String {
        let seconds = nanoseconds / 1_000_000_000
        return "\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(nanoseconds % 1_000_000_000, 9))"
    }

    /// Formats milliseconds since the epoch as "YYYY-MM-DDTHH:MM:SS.sssZ".
    static func formatTimestamp(milliseconds: Int64) -> String {
        let days = CivilDate.floorDivide(milliseconds, millisecondsPerDay)
        let millisOfDay = milliseconds - days * millisecondsPerDay
        let seconds = millisOfDay / 1000
        return "\(formatDate(days: days))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(millisOfDay % 1000, 3))Z"
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(abs(value))
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return value < 0 ? "-" + padded : padded
    }
}
