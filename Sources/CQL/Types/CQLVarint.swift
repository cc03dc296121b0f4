/// An arbitrary-precision integer, kept in the wire form of `varint`: minimal big-endian two's complement.
public struct CQLVarint: Sendable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The minimal two's complement bytes, most significant first; zero is `[0x00]`.
    public private(set) var bytes: [UInt8]

    /// Creates a varint from wire bytes, normalising redundant sign bytes; empty bytes mean zero.
    public init(bytes: [UInt8]) {
        self.bytes = Self.minimal(bytes.isEmpty ? [0] : bytes)
    }

    /// Creates a varint from a 64-bit integer.
    public init(_ value: Int64) {
        self.bytes = Self.minimal((0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) })
    }

    public init(integerLiteral value: Int64) { self.init(value) }

    /// Parses an optionally signed run of decimal digits.
    public init?(_ text: some StringProtocol) {
        var digits = Substring(text)
        var negative = false
        if let first = digits.first, first == "-" || first == "+" {
            negative = first == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var limbs: [UInt32] = [0]  // little-endian base 2^32 magnitude
        for character in digits {
            guard let digit = character.wholeNumberValue, character.isASCII else { return nil }
            var carry = UInt64(digit)
            for index in limbs.indices {
                let product = UInt64(limbs[index]) * 10 + carry
                limbs[index] = UInt32(truncatingIfNeeded: product)
                carry = product >> 32
            }
            if carry > 0 { limbs.append(UInt32(carry)) }
        }
        var magnitude: [UInt8] = [0]
        for limb in limbs.reversed() {
            magnitude += [UInt8(limb >> 24), UInt8(truncatingIfNeeded: limb >> 16), UInt8(truncatingIfNeeded: limb >> 8), UInt8(truncatingIfNeeded: limb)]
        }
        self.bytes = Self.minimal(negative ? Self.negated(magnitude) : magnitude)
    }

    /// Whether the value is below zero.
    public var isNegative: Bool { bytes[0] & 0x80 != 0 }

    /// The value when it fits 64 bits.
    public var int64Value: Int64? {
        guard bytes.count <= 8 else { return nil }
        var value: Int64 = isNegative ? -1 : 0
        for byte in bytes { value = value << 8 | Int64(byte) }
        return value
    }

    /// The value in decimal digits.
    public var description: String {
        if let small = int64Value { return String(small) }
        let magnitude = isNegative ? Self.negated([0xFF] + bytes) : bytes
        var limbs: [UInt32] = []  // big-endian base 2^32
        var padded = magnitude
        while padded.count % 4 != 0 { padded.insert(0, at: 0) }
        for index in stride(from: 0, to: padded.count, by: 4) {
            limbs.append(UInt32(padded[index]) << 24 | UInt32(padded[index + 1]) << 16 | UInt32(padded[index + 2]) << 8 | UInt32(padded[index + 3]))
        }
        var chunks: [String] = []
        while limbs.contains(where: { $0 != 0 }) {
            var remainder: UInt64 = 0
            for index in limbs.indices {
                let current = remainder << 32 | UInt64(limbs[index])
                limbs[index] = UInt32(current / 1_000_000_000)
                remainder = current % 1_000_000_000
            }
            chunks.append(String(remainder))
        }
        var text = chunks.last ?? "0"
        for chunk in chunks.dropLast().reversed() {
            text += String(repeating: "0", count: 9 - chunk.count) + chunk
        }
        return (isNegative ? "-" : "") + text
    }

    static func minimal(_ bytes: [UInt8]) -> [UInt8] {
        var start = 0
        while start < bytes.count - 1 {
            let (current, next) = (bytes[start], bytes[start + 1])
            if (current == 0x00 && next & 0x80 == 0) || (current == 0xFF && next & 0x80 != 0) {
                start += 1
            } else {
                break
            }
        }
        return Array(bytes[start...])
    }

    static func negated(_ bytes: [UInt8]) -> [UInt8] {
        var result = bytes.map { ~$0 }
        for index in result.indices.reversed() {
            let (sum, overflow) = result[index].addingReportingOverflow(1)
            result[index] = sum
            if !overflow { break }
        }
        return result
    }
}

/// An arbitrary-precision decimal: `unscaled × 10^(−scale)`, the wire form of `decimal`.
public struct CQLDecimal: Sendable, Hashable, CustomStringConvertible {
    /// The digits without the decimal point.
    public var unscaled: CQLVarint
    /// How many of those digits are after the decimal point (may be negative).
    public var scale: Int32

    /// Creates a decimal from its parts.
    public init(unscaled: CQLVarint, scale: Int32) {
        self.unscaled = unscaled
        self.scale = scale
    }

    /// Parses "123.45", "-0.001", "1e3" or "1.5E-7".
    public init?(_ text: some StringProtocol) {
        var mantissa = Substring(text)
        var exponent = 0
        if let marker = mantissa.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let value = Int(mantissa[mantissa.index(after: marker)...]) else { return nil }
            exponent = value
            mantissa = mantissa[..<marker]
        }
        var digits = String(mantissa)
        var fractionDigits = 0
        if let dot = digits.firstIndex(of: ".") {
            fractionDigits = digits.distance(from: dot, to: digits.endIndex) - 1
            digits.remove(at: dot)
        }
        guard let unscaled = CQLVarint(digits), let scale = Int32(exactly: fractionDigits - exponent) else { return nil }
        self.init(unscaled: unscaled, scale: scale)
    }

    public var description: String {
        var digits = unscaled.description
        let negative = digits.hasPrefix("-")
        if negative { digits.removeFirst() }
        let sign = negative ? "-" : ""
        if scale <= 0 {
            return sign + digits + (digits == "0" ? "" : String(repeating: "0", count: Int(-scale)))
        }
        let scale = Int(scale)
        if digits.count <= scale {
            digits = String(repeating: "0", count: scale - digits.count + 1) + digits
        }
        let point = digits.index(digits.endIndex, offsetBy: -scale)
        return sign + digits[..<point] + "." + digits[point...]
    }
}
