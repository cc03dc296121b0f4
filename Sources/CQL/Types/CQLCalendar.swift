/// Conversions between CQL's day/millisecond/nanosecond counts and ISO 8601 text,
/// in the proleptic Gregorian calendar and UTC (what Cassandra uses), without Foundation formatters.
enum CQLCalendar {
    static let millisecondsPerDay: Int64 = 86_400_000
    static let nanosecondsPerDay: Int64 = 86_400_000_000_000

    /// Days since 1970-01-01 for a civil date.
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date for days since 1970-01-01.
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Parses "YYYY-MM-DD" into days since the epoch.
    static func parseDate(_ text: Substring) -> Int64? {
        var negative = false
        var rest = text
        if rest.first == "-" { negative = true; rest = rest.dropFirst() }
        let parts = rest.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].count == 2, parts[2].count == 2,
              var year = Int64(parts[0]), let month = Int64(parts[1]), let day = Int64(parts[2]),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        if negative { year = -year }
        return days(year: year, month: month, day: day)
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
        let (year, month, day) = civil(days: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Formats nanoseconds since midnight as "HH:MM:SS.fffffffff".
    static func formatTime(nanoseconds: Int64) -> String {
        let seconds = nanoseconds / 1_000_000_000
        return "\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(nanoseconds % 1_000_000_000, 9))"
    }

    /// Formats milliseconds since the epoch as "YYYY-MM-DDTHH:MM:SS.sssZ".
    static func formatTimestamp(milliseconds: Int64) -> String {
        let days = floorDivide(milliseconds, millisecondsPerDay)
        let millisOfDay = milliseconds - days * millisecondsPerDay
        let seconds = millisOfDay / 1000
        return "\(formatDate(days: days))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(millisOfDay % 1000, 3))Z"
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(abs(value))
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return value < 0 ? "-" + padded : padded
    }
}
