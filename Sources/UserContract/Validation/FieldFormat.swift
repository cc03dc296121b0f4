import CivilCalendar  // the one calendar rule, shared with CQL date binding

/// Format checks for individual contract fields.
enum FieldFormat {
    /// A deliberately simple address check: one `@`, a non-empty local part, a dotted domain, no spaces.
    static func isEmail(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { utf8 in
            guard let at = utf8.firstIndex(of: UInt8(ascii: "@")), at > 0 else { return false }
            let domain = UnsafeBufferPointer(rebasing: utf8[(at + 1)...])
            guard let dot = domain.lastIndex(of: UInt8(ascii: ".")), dot > 0, dot < domain.count - 1,
                domain.first != UInt8(ascii: "."), !domain.contains(UInt8(ascii: "@"))
            else { return false }
            return !utf8.contains { $0 <= 0x20 || $0 == 0x7F }
        }
    }

    /// ISO-8601 / RFC 3339 date-time with a zone: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM)`.
    static func isDateTime(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { s in
            guard s.count >= 20 else { return false }
            func number(_ from: Int, _ length: Int) -> Int? {
                var result = 0
                for index in from..<(from + length) {
                    let byte = s[index]
                    guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
                    result = result * 10 + Int(byte - UInt8(ascii: "0"))
                }
                return result
            }
            guard let year = number(0, 4), s[4] == UInt8(ascii: "-"), let month = number(5, 2), s[7] == UInt8(ascii: "-"),
                let day = number(8, 2), s[10] == UInt8(ascii: "T"), let hour = number(11, 2), s[13] == UInt8(ascii: ":"),
                let minute = number(14, 2), s[16] == UInt8(ascii: ":"), let second = number(17, 2)
            else { return false }
            guard CivilDate.isValid(year: Int64(year), month: Int64(month), day: Int64(day)), hour < 24, minute < 60,
                second <= 60
            else { return false }
            var index = 19
            if s[index] == UInt8(ascii: ".") {
                index += 1
                let start = index
                while index < s.count, s[index] >= UInt8(ascii: "0"), s[index] <= UInt8(ascii: "9") { index += 1 }
                guard index > start, index < s.count else { return false }
            }
            switch s[index] {
            case UInt8(ascii: "Z"):
                return index + 1 == s.count
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let rest = s.count - index - 1
                if rest == 5, s[index + 3] == UInt8(ascii: ":"), let h = number(index + 1, 2), let m = number(index + 4, 2) {
                    return h < 24 && m < 60
                }
                if rest == 4, let h = number(index + 1, 2), let m = number(index + 3, 2) { return h < 24 && m < 60 }
                return false
            default:
                return false
            }
        }
    }
}
