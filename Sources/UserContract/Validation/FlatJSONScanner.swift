/// A small JSON reader over raw bytes, enough to read one flat object of string values quickly and
/// to recognise (and skip) any other JSON value. It assumes the bytes are valid UTF-8.
package struct FlatJSONScanner {
    package struct SyntaxError: Error {
        package var offset: Int
        package var detail: String
    }

    /// A string token: its raw content range and whether it contains escapes.
    package struct StringToken {
        package var start: Int
        package var end: Int
        package var hasEscapes: Bool

        package init(start: Int, end: Int, hasEscapes: Bool) {
            self.start = start
            self.end = end
            self.hasEscapes = hasEscapes
        }
    }

    package let bytes: UnsafeBufferPointer<UInt8>
    package var index = 0
    package static let maxDepth = 64

    package init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    package var isAtEnd: Bool { index >= bytes.count }

    @inline(__always)
    package var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    @inline(__always)
    package mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    package func error(_ detail: String) -> SyntaxError { SyntaxError(offset: index, detail: detail) }

    @inline(__always)
    package mutating func expect(_ byte: UInt8, _ what: String) throws(SyntaxError) {
        guard current == byte else { throw error(isAtEnd ? "unexpected end, expected \(what)" : "expected \(what)") }
        index += 1
    }

    /// Reads a string token starting at the opening quote.
    package mutating func string() throws(SyntaxError) -> StringToken {
        try expect(UInt8(ascii: "\""), "'\"'")
        let start = index
        var hasEscapes = false
        while true {
            index = nextSpecialByte(from: index)
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let token = StringToken(start: start, end: index, hasEscapes: hasEscapes)
                index += 1
                return token
            } else if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                index += 1
                guard let escaped = current else { break }
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    guard index + 4 < bytes.count,
                        (1...4).allSatisfy({ UUIDText.hexValue(bytes[index + $0]) != nil })
                    else { throw error("invalid \\u escape") }
                    index += 5
                default:
                    throw error("invalid escape")
                }
            } else {
                throw error("control character in string")
            }
        }
        throw error("unterminated string")
    }

    /// The index of the first quote, backslash or control character at or after `start`
    /// (`bytes.count` if none). Tests eight bytes at a time: string scanning is most of the
    /// parsing time, and nearly every byte of a string is none of these.
    @inline(__always)
    private func nextSpecialByte(from start: Int) -> Int {
        var position = start
        if let base = bytes.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highBits: UInt64 = 0x8080_8080_8080_8080
            while position + 8 <= bytes.count {
                // Lanes in memory order; `(x - 1) & ~x & 0x80` per lane flags a zero lane exactly
                // up to the first match, which is all that is needed here.
                let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                let matches = ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (word &- ones &* 0x20) & ~word) & highBits
                if matches != 0 { return position + matches.trailingZeroBitCount / 8 }
                position += 8
            }
        }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { return position }
            position += 1
        }
        return position
    }

    /// The text of a string token, with escapes decoded and anything that is not text (ill-formed
    /// UTF-8, a lone surrogate escape) shown as U+FFFD: for messages, never for data.
    package func text(of token: StringToken) -> String {
        decodedText(of: token, repairing: true)!
    }

    /// The text of a string token, with escapes decoded; nil when it holds something that is not
    /// text (ill-formed UTF-8, a lone surrogate escape), which data must not take as U+FFFD.
    package func exactText(of token: StringToken) -> String? {
        decodedText(of: token, repairing: false)
    }

    private func decodedText(of token: StringToken, repairing: Bool) -> String? {
        let raw = UnsafeBufferPointer(rebasing: bytes[token.start..<token.end])
        guard token.hasEscapes else { return repairing ? String(decoding: raw, as: UTF8.self) : String(validating: raw, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var decoded = [UInt8]()
        decoded.reserveCapacity(raw.count)
        var position = 0
        func hex4(_ at: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { $0 << 4 | UInt32(UUIDText.hexValue(raw[at + $1])!) }
        }
        while position < raw.count {
            let byte = raw[position]
            guard byte == UInt8(ascii: "\\") else {
                decoded.append(byte)
                position += 1
                continue
            }
            let escaped = raw[position + 1]
            position += 2
            switch escaped {
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "u"):
                var code = hex4(position)
                position += 4
                if (0xD800...0xDBFF).contains(code), position + 6 <= raw.count, raw[position] == UInt8(ascii: "\\"),
                    raw[position + 1] == UInt8(ascii: "u")
                {
                    let low = hex4(position + 2)
                    if (0xDC00...0xDFFF).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        position += 6
                    }
                }
                guard let scalar = Unicode.Scalar(code) ?? (repairing ? "\u{FFFD}" : nil) else { return nil }
                scalars.removeAll(keepingCapacity: true)
                scalars.append(scalar)
                decoded.append(contentsOf: String(scalars).utf8)
            default: decoded.append(escaped)
            }
        }
        return repairing ? String(decoding: decoded, as: UTF8.self) : String(validating: decoded, as: UTF8.self)
    }

    /// Skips any JSON value and says what kind it was.
    package mutating func skipValue(depth: Int = 0) throws(SyntaxError) -> JSONValueKind {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth)") }
        skipWhitespace()
        guard let byte = current else { throw error("unexpected end, expected a value") }
        switch byte {
        case UInt8(ascii: "\""):
            _ = try string()
            return .string
        case UInt8(ascii: "{"):
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                index += 1
                return .object
            }
            while true {
                skipWhitespace()
                _ = try string()
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "':'")
                _ = try skipValue(depth: depth + 1)
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "}"), "',' or '}'")
                return .object
            }
        case UInt8(ascii: "["):
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                index += 1
                return .array
            }
            while true {
                _ = try skipValue(depth: depth + 1)
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "]"), "',' or ']'")
                return .array
            }
        case UInt8(ascii: "t"):
            try literal("true")
            return .boolean
        case UInt8(ascii: "f"):
            try literal("false")
            return .boolean
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try number()
            return .number
        default:
            throw error("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString) throws(SyntaxError) {
        let length = word.utf8CodeUnitCount
        guard index + length <= bytes.count else { throw error("unexpected end in literal") }
        for offset in 0..<length where bytes[index + offset] != word.utf8Start[offset] {
            throw error("invalid literal")
        }
        index += length
    }

    private mutating func number() throws(SyntaxError) {
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") else {
            throw error("invalid number")
        }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if current == UInt8(ascii: ".") {
            index += 1
            guard skipDigits() > 0 else { throw error("invalid number") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw error("invalid number") }
        }
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = index
        while let byte = current, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }
}
