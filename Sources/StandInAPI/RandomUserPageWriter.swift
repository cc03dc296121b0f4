import CivilCalendar  // the same calendar as the validator that checks these dates
import UserContract

/// Writes a randomuser.me-shaped JSON page by hand: each user depends only on (seed, page, index),
/// and the bytes are copied from prepared fragments because JSONEncoder is far too slow for
/// thousands of users per request.
struct RandomUserPageWriter {
    private(set) var bytes: [UInt8] = []

    /// The response body for `count` users of `page` under `seed`.
    static func page(seed: String, page: Int, count: Int) -> [UInt8] {
        var writer = RandomUserPageWriter()
        writer.bytes.reserveCapacity(count * 1_200 + 128)
        writer.append("{\"results\":[")
        let seedHash = SplitMix64.hash(seed)
        for index in 0..<count {
            if index > 0 { writer.bytes.append(UInt8(ascii: ",")) }
            writer.user(seedHash: seedHash, page: page, index: index)
        }
        writer.append("],\"info\":{\"seed\":")
        writer.quoted(seed)
        writer.append(",\"results\":")
        writer.integer(count)
        writer.append(",\"page\":")
        writer.integer(page)
        writer.append(",\"version\":\"1.4\"}}")
        return writer.bytes
    }

    /// The generator state of one user.
    static func generator(seedHash: UInt64, page: Int, index: Int) -> SplitMix64 {
        let pageMixed = SplitMix64.mix(seedHash ^ UInt64(truncatingIfNeeded: page) &* 0xD6E8_FEB8_6659_FD93)
        return SplitMix64(state: SplitMix64.mix(pageMixed ^ UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15))
    }

    private static let nationalities = Nationality.all
    private static let titlesFemale: [[UInt8]] = ["Miss", "Ms", "Mrs", "Madame"].map { Array($0.utf8) }
    private static let titlesMale: [[UInt8]] = ["Mr", "Monsieur"].map { Array($0.utf8) }
    private static let adjectives: [[UInt8]] =
        ["yellow", "silver", "tiny", "happy", "brave", "lazy", "purple", "ancient", "heavy", "organic"].map { Array($0.utf8) }
    private static let animals: [[UInt8]] =
        ["peacock", "lion", "koala", "swan", "wolf", "rabbit", "frog", "tiger", "goose", "butterfly"].map { Array($0.utf8) }
    private static let passwords: [[UInt8]] =
        ["addison", "dragon", "sunshine", "qwerty12", "letmein", "monkey", "trustno1", "marley"].map { Array($0.utf8) }
    private static let timezones: [([UInt8], [UInt8])] = [
        ("-10:00", "Hawaii"), ("-5:00", "Eastern Time (US & Canada), Bogota, Lima"),
        ("0:00", "Western Europe Time, London, Lisbon, Casablanca"), ("+1:00", "Brussels, Copenhagen, Madrid, Paris"),
        ("+5:30", "Bombay, Calcutta, Madras, New Delhi"), ("+9:30", "Adelaide, Darwin"),
    ].map { (Array($0.0.utf8), Array($0.1.utf8)) }
    private static let alphanumerics: [UInt8] = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
    private static let hexDigits = JSONTextWriter.hexDigits
    // Ages are computed against a fixed day so that a page never changes with the calendar.
    private static let referenceYear = 2026
    private static let dobRange: ClosedRange<Int64> = -788_918_400...1_104_537_599  // 1945 … 2004
    private static let registeredRange: ClosedRange<Int64> = 1_009_843_200...1_704_067_199  // 2002 … 2023

    private mutating func user(seedHash: UInt64, page: Int, index: Int) {
        var random = Self.generator(seedHash: seedHash, page: page, index: index)
        let nationality = Self.nationalities[random.below(Self.nationalities.count)]
        let female = random.next() & 1 == 0
        let first = random.pick(female ? nationality.femaleFirst : nationality.maleFirst)
        let last = random.pick(nationality.last)
        let place = random.pick(nationality.places)
        append("{\"gender\":\"")
        append(female ? "female" : "male")
        append("\",\"name\":{\"title\":\"")
        bytes.append(contentsOf: random.pick(female ? Self.titlesFemale : Self.titlesMale))
        append("\",\"first\":\"")
        bytes.append(contentsOf: first.display)
        append("\",\"last\":\"")
        bytes.append(contentsOf: last.display)
        append("\"},\"location\":{\"street\":{\"number\":")
        integer(1 + random.below(9_999))
        append(",\"name\":\"")
        bytes.append(contentsOf: random.pick(nationality.streets))
        append("\"},\"city\":\"")
        bytes.append(contentsOf: place.0)
        append("\",\"state\":\"")
        bytes.append(contentsOf: place.1)
        append("\",\"country\":\"")
        bytes.append(contentsOf: nationality.country)
        append("\",\"postcode\":")
        if nationality.postcodeIsNumber {
            // A JSON number cannot start with 0, so the first digit is 1-9.
            bytes.append(UInt8(ascii: "1") + UInt8(random.below(9)))
            pattern(nationality.postcodePattern.dropFirst(), &random)
        } else {
            bytes.append(UInt8(ascii: "\""))
            pattern(nationality.postcodePattern[...], &random)
            bytes.append(UInt8(ascii: "\""))
        }
        append(",\"coordinates\":{\"latitude\":\"")
        decimal(random.below(1_800_000) - 900_000)
        append("\",\"longitude\":\"")
        decimal(random.below(3_600_000) - 1_800_000)
        let timezone = random.pick(Self.timezones)
        append("\"},\"timezone\":{\"offset\":\"")
        bytes.append(contentsOf: timezone.0)
        append("\",\"description\":\"")
        bytes.append(contentsOf: timezone.1)
        append("\"}},\"email\":\"")
        bytes.append(contentsOf: first.folded)
        bytes.append(UInt8(ascii: "."))
        bytes.append(contentsOf: last.folded)
        append("@example.com\",\"login\":{\"uuid\":\"")
        uuid(&random)
        append("\",\"username\":\"")
        bytes.append(contentsOf: random.pick(Self.adjectives))
        bytes.append(contentsOf: random.pick(Self.animals))
        integer(100 + random.below(900))
        append("\",\"password\":\"")
        bytes.append(contentsOf: random.pick(Self.passwords))
        append("\",\"salt\":\"")
        for _ in 0..<8 { bytes.append(random.pick(Self.alphanumerics)) }
        append("\",\"md5\":\"")
        hex(32, &random)
        append("\",\"sha1\":\"")
        hex(40, &random)
        append("\",\"sha256\":\"")
        hex(64, &random)
        append("\"},\"dob\":")
        datedAge(in: Self.dobRange, &random)
        append(",\"registered\":")
        datedAge(in: Self.registeredRange, &random)
        append(",\"phone\":\"")
        pattern(nationality.phonePattern[...], &random)
        append("\",\"cell\":\"")
        pattern(nationality.phonePattern[...], &random)
        append("\",\"id\":{\"name\":\"")
        bytes.append(contentsOf: nationality.idName)
        if let idPattern = nationality.idPattern {
            append("\",\"value\":\"")
            pattern(idPattern[...], &random)
            append("\"},\"picture\":{\"large\":\"")
        } else {
            append("\",\"value\":null},\"picture\":{\"large\":\"")
        }
        let portrait = random.below(100)
        let folder: StaticString = female ? "women/" : "men/"
        append("https://randomuser.me/api/portraits/")
        append(folder)
        integer(portrait)
        append(".jpg\",\"medium\":\"https://randomuser.me/api/portraits/med/")
        append(folder)
        integer(portrait)
        append(".jpg\",\"thumbnail\":\"https://randomuser.me/api/portraits/thumb/")
        append(folder)
        integer(portrait)
        append(".jpg\"},\"nat\":\"")
        bytes.append(contentsOf: nationality.code)
        append("\"}")
    }

    @inline(__always)
    private mutating func append(_ ascii: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: ascii.utf8Start, count: ascii.utf8CodeUnitCount))
    }

    private mutating func quoted(_ text: String) {
        JSONTextWriter.appendString(text, to: &bytes)
    }

    private mutating func integer(_ value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            integer(-value)
            return
        }
        if value >= 10 { integer(value / 10) }
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// A value in ten-thousandths as a decimal with four places ("-69.8246").
    private mutating func decimal(_ tenThousandths: Int) {
        if tenThousandths < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = abs(tenThousandths)
        integer(magnitude / 10_000)
        bytes.append(UInt8(ascii: "."))
        let fraction = magnitude % 10_000
        bytes.append(UInt8(ascii: "0") + UInt8(fraction / 1000))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction / 100 % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction % 10))
    }

    private mutating func pattern(_ pattern: ArraySlice<UInt8>, _ random: inout SplitMix64) {
        for byte in pattern {
            switch byte {
            case UInt8(ascii: "#"): bytes.append(UInt8(ascii: "0") + UInt8(random.below(10)))
            case UInt8(ascii: "@"): bytes.append(UInt8(ascii: "A") + UInt8(random.below(26)))
            default: bytes.append(byte)
            }
        }
    }

    private mutating func hex(_ digits: Int, _ random: inout SplitMix64) {
        var word = random.next()
        for digit in 0..<digits {
            if digit > 0 && digit % 16 == 0 { word = random.next() }
            bytes.append(Self.hexDigits[Int(word & 0xF)])
            word >>= 4
        }
    }

    /// A version-4-looking UUID (random bits with the version and variant set).
    private mutating func uuid(_ random: inout SplitMix64) {
        var high = random.next()
        var low = random.next()
        high = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        for (index, shift) in stride(from: 60, through: 0, by: -4).enumerated() {
            if index == 8 || index == 12 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(Self.hexDigits[Int((high >> UInt64(shift)) & 0xF)])
        }
        for (index, shift) in stride(from: 60, through: 0, by: -4).enumerated() {
            if index == 0 || index == 4 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(Self.hexDigits[Int((low >> UInt64(shift)) & 0xF)])
        }
    }

    /// `{"date":"1992-03-08T15:13:16.688Z","age":33}` for a random instant in `range` (Unix seconds).
    private mutating func datedAge(in range: ClosedRange<Int64>, _ random: inout SplitMix64) {
        let seconds = range.lowerBound + Int64(random.below(Int(range.upperBound - range.lowerBound)))
        let millis = random.below(1000)
        let days = Int(CivilDate.floorDivide(seconds, 86_400))
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let (year, month, day) = Self.civil(fromDays: days)
        append("{\"date\":\"")
        padded(year, 4)
        bytes.append(UInt8(ascii: "-"))
        padded(month, 2)
        bytes.append(UInt8(ascii: "-"))
        padded(day, 2)
        bytes.append(UInt8(ascii: "T"))
        padded(secondOfDay / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        padded(secondOfDay / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        padded(secondOfDay % 60, 2)
        bytes.append(UInt8(ascii: "."))
        padded(millis, 3)
        append("Z\",\"age\":")
        integer(Self.referenceYear - 1 - year)
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func padded(_ value: Int, _ width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    /// Proleptic Gregorian (year, month, day) of a day count since 1970-01-01.
    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let date = CivilDate.date(days: Int64(days))
        return (Int(date.year), Int(date.month), Int(date.day))
    }
}
