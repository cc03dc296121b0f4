import Foundation  // memcmp, JSONSerialization
import NIOCore
import UserContract

/// Reads a randomuser.me response straight from bytes, keeping only what `UserFormatter` needs and
/// skipping the rest (cell, nationality, hashes, coordinates, …) without allocating. JSONDecoder
/// managed under 2,000 users/s on this shape in release builds, far too slow for the ingest.
///
/// Lenient like the Decodable model: a block of an unexpected type is left `nil`, a result that is
/// not an object becomes `nil`; only malformed JSON (e.g. a truncated body) throws.
enum RandomUserResponseParser {
    typealias SyntaxError = FlatJSONScanner.SyntaxError

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(SyntaxError) -> RandomUserResponse {
        var results: [RandomUserResult?] = []
        let info = try parse(bytes) { results.append($0) }
        return RandomUserResponse(results: results, info: info)
    }

    /// Hands each result to `body` as it is read (no list of results is built) and returns the
    /// `info` block. A syntax error anywhere throws, after `body` may have seen earlier results.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, each body: (RandomUserResult?) -> Void) throws(SyntaxError) -> RandomUserResponse.Info? {
        var scanner = FlatJSONScanner(bytes)
        var hasResults = false
        var info: RandomUserResponse.Info?
        scanner.skipWhitespace()
        guard scanner.current == UInt8(ascii: "{") else { throw scanner.error("the response is not a JSON object") }
        try scanner.members { scanner, key throws(SyntaxError) in
            if scanner.isKey(key, "results"), !hasResults, scanner.peek == UInt8(ascii: "[") {
                try scanner.elements { scanner throws(SyntaxError) in body(try result(&scanner)) }
                hasResults = true
            } else if scanner.isKey(key, "info"), scanner.peek == UInt8(ascii: "{") {
                var block = RandomUserResponse.Info()
                try scanner.members { scanner, key throws(SyntaxError) in
                    if scanner.isKey(key, "seed") { block.seed = try scanner.stringValue() }
                    else if scanner.isKey(key, "results") { block.results = try scanner.scalarValue()?.integerValue }
                    else if scanner.isKey(key, "page") { block.page = try scanner.scalarValue()?.integerValue }
                    else if scanner.isKey(key, "version") { block.version = try scanner.stringValue() }
                    else { _ = try scanner.skipValue() }
                }
                info = block
            } else {
                _ = try scanner.skipValue()
            }
        }
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw scanner.error("unexpected data after the response") }
        guard hasResults else { throw scanner.error("the response has no \"results\" array") }
        return info
    }

    private static func result(_ scanner: inout FlatJSONScanner) throws(SyntaxError) -> RandomUserResult? {
        guard scanner.peek == UInt8(ascii: "{") else {
            _ = try scanner.skipValue()
            return nil
        }
        var result = RandomUserResult()
        try scanner.members { scanner, key throws(SyntaxError) in
            if scanner.isKey(key, "gender") { result.gender = try scanner.stringValue() }
            else if scanner.isKey(key, "email") { result.email = try scanner.stringValue() }
            else if scanner.isKey(key, "phone") { result.phone = try scanner.stringValue() }
            else if scanner.isKey(key, "name") {
                result.name = try scanner.block { scanner, key, name throws(SyntaxError) in
                    if scanner.isKey(key, "first") { name.first = try scanner.stringValue() }
                    else if scanner.isKey(key, "last") { name.last = try scanner.stringValue() }
                    else { _ = try scanner.skipValue() }
                } initial: { RandomUserResult.Name() }
            } else if scanner.isKey(key, "location") {
                result.location = try scanner.block { scanner, key, location throws(SyntaxError) in
                    if scanner.isKey(key, "street") {
                        location.street = try scanner.block { scanner, key, street throws(SyntaxError) in
                            if scanner.isKey(key, "number") { street.number = try scanner.scalarValue() }
                            else if scanner.isKey(key, "name") { street.name = try scanner.stringValue() }
                            else { _ = try scanner.skipValue() }
                        } initial: { RandomUserResult.Street() }
                    }
                    else if scanner.isKey(key, "city") { location.city = try scanner.stringValue() }
                    else if scanner.isKey(key, "state") { location.state = try scanner.stringValue() }
                    else if scanner.isKey(key, "country") { location.country = try scanner.stringValue() }
                    else if scanner.isKey(key, "postcode") { location.postcode = try scanner.scalarValue() }
                    else { _ = try scanner.skipValue() }
                } initial: { RandomUserResult.Location() }
            } else if scanner.isKey(key, "login") {
                result.login = try scanner.block { scanner, key, login throws(SyntaxError) in
                    if scanner.isKey(key, "uuid") { login.uuid = try scanner.stringValue() }
                    else if scanner.isKey(key, "username") { login.username = try scanner.stringValue() }
                    else { _ = try scanner.skipValue() }
                } initial: { RandomUserResult.Login() }
            } else if scanner.isKey(key, "dob") {
                result.dob = try datedAge(&scanner)
            } else if scanner.isKey(key, "registered") {
                result.registered = try datedAge(&scanner)
            } else if scanner.isKey(key, "picture") {
                result.picture = try scanner.block { scanner, key, picture throws(SyntaxError) in
                    if scanner.isKey(key, "medium") { picture.medium = try scanner.stringValue() }
                    else { _ = try scanner.skipValue() }
                } initial: { RandomUserResult.Picture() }
            } else {
                _ = try scanner.skipValue()
            }
        }
        return result
    }

    private static func datedAge(_ scanner: inout FlatJSONScanner) throws(SyntaxError) -> RandomUserResult.DatedAge? {
        try scanner.block { scanner, key, dated throws(SyntaxError) in
            if scanner.isKey(key, "date") { dated.date = try scanner.stringValue() }
            else { _ = try scanner.skipValue() }
        } initial: { RandomUserResult.DatedAge() }
    }
}

extension TextOrNumber {
    var integerValue: Int? {
        switch self {
        case .integer(let value): value
        case .decimal(let value): Int(exactly: value)
        case .text(let text): Int(text)
        }
    }
}

extension FlatJSONScanner {
    /// The next non-whitespace byte, without consuming it.
    var peek: UInt8? {
        mutating get {
            skipWhitespace()
            return current
        }
    }

    /// Whether a key token spells `name` (keys with escapes never match; none are expected here).
    func isKey(_ token: StringToken, _ name: StaticString) -> Bool {
        guard !token.hasEscapes, token.end - token.start == name.utf8CodeUnitCount else { return false }
        return memcmp(bytes.baseAddress! + token.start, name.utf8Start, name.utf8CodeUnitCount) == 0
    }

    /// Calls `body` for each member of the object at the cursor; `body` must consume the value.
    mutating func members(_ body: (inout FlatJSONScanner, StringToken) throws(SyntaxError) -> Void) throws(SyntaxError) {
        skipWhitespace()
        try expect(UInt8(ascii: "{"), "'{'")
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':'")
            skipWhitespace()
            try body(&self, key)
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "}"), "',' or '}'")
            return
        }
    }

    /// Calls `body` for each element of the array at the cursor; `body` must consume the element.
    mutating func elements(_ body: (inout FlatJSONScanner) throws(SyntaxError) -> Void) throws(SyntaxError) {
        skipWhitespace()
        try expect(UInt8(ascii: "["), "'['")
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            try body(&self)
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "]"), "',' or ']'")
            return
        }
    }

    /// Reads an object into a value built from `initial`, or skips a non-object and yields `nil`.
    mutating func block<Value>(
        _ body: (inout FlatJSONScanner, StringToken, inout Value) throws(SyntaxError) -> Void, initial: () -> Value
    ) throws(SyntaxError) -> Value? {
        guard peek == UInt8(ascii: "{") else {
            _ = try skipValue()
            return nil
        }
        var value = initial()
        try members { scanner, key throws(SyntaxError) in try body(&scanner, key, &value) }
        return value
    }

    /// A string value, or `nil` (value skipped) when it is of another type or not text (ill-formed
    /// UTF-8, a lone surrogate escape): a user is not published with U+FFFD in place of a character.
    mutating func stringValue() throws(SyntaxError) -> String? {
        guard peek == UInt8(ascii: "\"") else {
            _ = try skipValue()
            return nil
        }
        return exactText(of: try string())
    }

    /// A string or number value, or `nil` (value skipped) for other types. A number that is not an
    /// `Int` stays as its JSON text: a Double would print a long post code as `1.2345678901234568e+29`.
    mutating func scalarValue() throws(SyntaxError) -> TextOrNumber? {
        skipWhitespace()
        let start = index
        switch try skipValue() {
        case .string:
            return exactText(of: StringToken(start: start + 1, end: index - 1, hasEscapes: bytes[(start + 1)..<(index - 1)].contains(UInt8(ascii: "\\")))).map { .text($0) }
        case .number:
            let literal = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            return Int(literal).map { .integer($0) } ?? .text(literal)
        default:
            return nil
        }
    }
}

extension RandomUserResponseParser {
    /// The API's own message when a body is `{"error": "…"}` (randomuser.me answers some failures
    /// so, even with status 200), cut to 300 characters; nil for any other body.
    static func errorMessage(in body: ByteBuffer) -> String? {
        guard body.readableBytes <= 1 << 16,
              let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
              let message = object["error"] as? String else { return nil }
        return String(message.prefix(300))
    }
}
