/// Appends JSON text to a byte array; used where JSONEncoder is too slow or does not fix key order.
public enum JSONTextWriter {
    /// Appends `value` as a quoted JSON string, escaping what RFC 8259 requires.
    public static func appendString(_ value: String, to bytes: inout [UInt8]) {
        var value = value
        value.withUTF8 { appendQuoted($0, to: &bytes) }
    }

    /// Appends bytes known to be UTF-8 as a quoted JSON string.
    public static func appendString(utf8: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        utf8.withMemoryRebound(to: UInt8.self) { appendQuoted($0, to: &bytes) }
    }

    private static func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        let start = bytes.count
        // Room for the worst case, written through a pointer, then cut to what was written.
        bytes.append(contentsOf: repeatElement(0, count: maxEscapedCount(utf8.count)))
        let written = bytes.withUnsafeMutableBufferPointer { out in
            escapeTable.withUnsafeBufferPointer { table in
                // The plain table takes the bytes as UTF-8, so it never gives up (nil).
                writeEscaped(UnsafeRawBufferPointer(utf8), table: table, to: out.baseAddress! + start)!
            }
        }
        bytes.removeLast(bytes.count - start - written)
        bytes.append(UInt8(ascii: "\""))
    }

    package static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    // MARK: Raw writing (reserve, then write through a pointer)

    /// Table entry for a byte copied as it is.
    package static let escapePlain: UInt8 = 0
    /// Table entry (validating table only) for a byte ≥ 0x80: the start of a UTF-8 sequence to check.
    package static let escapeNonASCII: UInt8 = 1
    /// Table entries at or above this are the letter after the backslash (`u` for `\u00XX`).
    package static let escapeFirst: UInt8 = 2

    /// For every byte: `escapePlain`, or the escape letter (`"`, `\`, `n`, `r`, `t`, `b`, `f`, or `u` for `\u00XX`).
    package static let escapeTable: [UInt8] = makeEscapeTable(nonASCII: 0)
    /// As `escapeTable`, but bytes ≥ 0x80 are `escapeNonASCII`, so the writer checks the UTF-8 sequence they start.
    package static let validatingEscapeTable: [UInt8] = makeEscapeTable(nonASCII: 1)

    private static func makeEscapeTable(nonASCII: UInt8) -> [UInt8] {
        (0..<256).map { (byte: Int) -> UInt8 in
            switch byte {
            case 0x22: UInt8(ascii: "\"")
            case 0x5C: UInt8(ascii: "\\")
            case 0x0A: UInt8(ascii: "n")
            case 0x0D: UInt8(ascii: "r")
            case 0x09: UInt8(ascii: "t")
            case 0x08: UInt8(ascii: "b")
            case 0x0C: UInt8(ascii: "f")
            case 0..<0x20: UInt8(ascii: "u")
            case 0x80...: nonASCII
            default: 0
            }
        }
    }

    /// The most bytes `writeEscaped` writes for `count` input bytes (every byte as `\u00XX`).
    package static func maxEscapedCount(_ count: Int) -> Int { count &* 6 }

    /// Writes `source` escaped for the inside of a JSON string at `destination`, which must have room for
    /// `maxEscapedCount(source.count)` bytes; returns the number of bytes written. With `validatingEscapeTable`
    /// it returns nil as soon as `source` turns out not to be well-formed UTF-8 (the same rule as
    /// `String(validating:as: UTF8.self)`); with `escapeTable` the bytes are taken to be UTF-8.
    package static func writeEscaped(_ source: UnsafeRawBufferPointer, table: UnsafeBufferPointer<UInt8>,
                                     to destination: UnsafeMutablePointer<UInt8>) -> Int? {
        guard let base = source.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        let count = source.count
        var out = destination
        var runStart = 0
        var index = 0
        while index < count {
            let byte = base[index]
            let escape = table[Int(byte)]
            if escape == escapePlain {
                index &+= 1
                continue
            }
            if escape == escapeNonASCII {
                let length = utf8SequenceLength(base, at: index, count: count)
                if length == 0 { return nil }
                index &+= length
                continue
            }
            if runStart < index {
                out.update(from: base + runStart, count: index &- runStart)
                out += index &- runStart
            }
            out[0] = UInt8(ascii: "\\")
            if escape == UInt8(ascii: "u") {
                out[1] = UInt8(ascii: "u")
                out[2] = 0x30
                out[3] = 0x30
                out[4] = hexDigit(byte >> 4)
                out[5] = hexDigit(byte & 0xF)
                out += 6
            } else {
                out[1] = escape
                out += 2
            }
            index &+= 1
            runStart = index
        }
        if runStart < count {
            out.update(from: base + runStart, count: count &- runStart)
            out += count &- runStart
        }
        return out - destination
    }

    @inline(__always) private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 &+ nibble : 0x57 &+ nibble
    }

    /// The length of the well-formed UTF-8 sequence starting with the byte ≥ 0x80 at `index`, or 0 if it is
    /// ill-formed (Unicode table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF).
    @inline(__always) private static func utf8SequenceLength(_ base: UnsafePointer<UInt8>, at index: Int, count: Int) -> Int {
        let lead = base[index]
        @inline(__always) func isContinuation(_ offset: Int) -> Bool { base[index &+ offset] & 0xC0 == 0x80 }
        switch lead {
        case 0xC2...0xDF:
            guard index &+ 1 < count, isContinuation(1) else { return 0 }
            return 2
        case 0xE0...0xEF:
            guard index &+ 2 < count else { return 0 }
            let second = base[index &+ 1]
            switch lead {
            case 0xE0: guard (0xA0...0xBF).contains(second) else { return 0 }
            case 0xED: guard (0x80...0x9F).contains(second) else { return 0 }
            default: guard second & 0xC0 == 0x80 else { return 0 }
            }
            guard isContinuation(2) else { return 0 }
            return 3
        case 0xF0...0xF4:
            guard index &+ 3 < count else { return 0 }
            let second = base[index &+ 1]
            switch lead {
            case 0xF0: guard (0x90...0xBF).contains(second) else { return 0 }
            case 0xF4: guard (0x80...0x8F).contains(second) else { return 0 }
            default: guard second & 0xC0 == 0x80 else { return 0 }
            }
            guard isContinuation(2), isContinuation(3) else { return 0 }
            return 4
        default:
            return 0
        }
    }
}
