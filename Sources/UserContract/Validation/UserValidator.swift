import Foundation  // memcmp
import NIOCore

/// Checks a `users_created` message value against the data contract and yields a `User` or the
/// reason it must go to the dead-letter topic.
///
/// Decisions: keys outside the twelve contract fields are rejected (`unknown_field`) unless
/// `unknownFields` is `.ignore`; every field must be a JSON string — a numeric `post_code` from an
/// older producer is `wrong_type`, because the contract says post_code is always text; `id` is
/// returned in lowercase canonical form. A hand-written scanner does the work because it is an
/// order of magnitude faster than JSONSerialization or JSONDecoder on these small objects.
public struct UserValidator: Sendable {
    /// What to do with keys that are not contract fields.
    public enum UnknownFieldPolicy: Sendable { case reject, ignore }

    /// Largest accepted message value in bytes (default 1 MiB).
    public var maxValueBytes: Int
    /// Largest accepted field value in UTF-8 bytes (default 1024).
    public var maxFieldBytes: Int
    public var unknownFields: UnknownFieldPolicy

    /// Creates a validator with the given limits.
    public init(maxValueBytes: Int = 1 << 20, maxFieldBytes: Int = 1024, unknownFields: UnknownFieldPolicy = .reject) {
        self.maxValueBytes = maxValueBytes
        self.maxFieldBytes = maxFieldBytes
        self.unknownFields = unknownFields
    }

    /// Validates a message value given as bytes (`nil` for a record without value).
    public func validate(_ value: [UInt8]?) -> Result<User, RejectionReason> {
        guard let value else { return .failure(.nullValue) }
        return value.withUnsafeBufferPointer { validate(bytes: $0) }
    }

    /// Validates a message value given as a ByteBuffer (`nil` for a record without value).
    public func validate(_ value: ByteBuffer?) -> Result<User, RejectionReason> {
        guard let value else { return .failure(.nullValue) }
        return value.withUnsafeReadableBytes { validate(bytes: $0.assumingMemoryBound(to: UInt8.self)) }
    }

    /// Validates raw message bytes.
    public func validate(bytes: UnsafeBufferPointer<UInt8>) -> Result<User, RejectionReason> {
        guard !bytes.isEmpty else { return .failure(.emptyValue) }
        guard bytes.count <= maxValueBytes else { return .failure(.oversizedValue(size: bytes.count, limit: maxValueBytes)) }
        if let offset = UTF8Check.firstInvalidOffset(bytes) { return .failure(.invalidUTF8(offset: offset)) }
        var scanner = FlatJSONScanner(bytes)
        do {
            return try readObject(&scanner)
        } catch {
            return .failure(.notJSON(offset: error.offset, detail: error.detail))
        }
    }

    private static let fieldKeys = User.CodingKeys.allCases
    private static let fieldNames: [[UInt8]] = User.CodingKeys.allCases.map { Array($0.rawValue.utf8) }
    private static let allFieldsMask: UInt16 = (1 << 12) - 1

    private func readObject(_ scanner: inout FlatJSONScanner) throws(FlatJSONScanner.SyntaxError) -> Result<User, RejectionReason> {
        scanner.skipWhitespace()
        guard scanner.current == UInt8(ascii: "{") else {
            let kind = try scanner.skipValue()
            try expectEnd(&scanner)
            return .failure(.notObject(found: kind))
        }
        scanner.index += 1
        var user = User(id: "", firstName: "", lastName: "", gender: "", address: "", postCode: "", email: "",
                        username: "", dob: "", registeredDate: "", phone: "", picture: "")
        var present: UInt16 = 0
        var firstProblem: RejectionReason?
        var expectedField = 0
        scanner.skipWhitespace()
        if scanner.current == UInt8(ascii: "}") {
            scanner.index += 1
        } else {
            while true {
                scanner.skipWhitespace()
                let keyToken = try scanner.string()
                scanner.skipWhitespace()
                try scanner.expect(UInt8(ascii: ":"), "':'")
                scanner.skipWhitespace()
                let field = fieldIndex(of: keyToken, in: scanner, expected: expectedField)
                expectedField = (field ?? expectedField) + 1
                if scanner.current == UInt8(ascii: "\""), let field {
                    let valueToken = try scanner.string()
                    if firstProblem == nil {
                        let bit: UInt16 = 1 << field
                        let name = Self.fieldKeys[field].rawValue
                        let exact = scanner.exactText(of: valueToken)  // the bytes are UTF-8: nil is a lone surrogate
                        if present & bit != 0 {
                            firstProblem = .duplicateField(name)
                        } else if let text = exact, text.utf8.count > maxFieldBytes {
                            firstProblem = .fieldTooLong(field: name, length: text.utf8.count, limit: maxFieldBytes)
                        } else if let text = exact {
                            user[Self.fieldKeys[field]] = text
                        } else {
                            firstProblem = .loneSurrogate(field: name)
                        }
                        present |= bit
                    }
                } else {
                    let kind = try scanner.skipValue()
                    if firstProblem == nil {
                        if let field {
                            let name = Self.fieldKeys[field].rawValue
                            if present & (1 << field) != 0 {
                                firstProblem = .duplicateField(name)
                            } else {
                                firstProblem = kind == .null ? .nullField(name) : .wrongType(field: name, found: kind)
                            }
                        } else if unknownFields == .reject {
                            firstProblem = .unknownField(scanner.text(of: keyToken))
                        }
                    }
                }
                scanner.skipWhitespace()
                if scanner.current == UInt8(ascii: ",") {
                    scanner.index += 1
                    continue
                }
                try scanner.expect(UInt8(ascii: "}"), "',' or '}'")
                break
            }
        }
        try expectEnd(&scanner)
        if let firstProblem { return .failure(firstProblem) }
        if present != Self.allFieldsMask {
            let missing = (0..<12).first { present & (1 << $0) == 0 }!
            return .failure(.missingField(Self.fieldKeys[missing].rawValue))
        }
        return checkFormats(user)
    }

    private func expectEnd(_ scanner: inout FlatJSONScanner) throws(FlatJSONScanner.SyntaxError) {
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw scanner.error("unexpected data after the JSON value") }
    }

    /// Index of the contract field named by `token`; tries the field expected next first, since
    /// producers write the fields in contract order.
    private func fieldIndex(of token: FlatJSONScanner.StringToken, in scanner: FlatJSONScanner, expected: Int) -> Int? {
        if token.hasEscapes {
            let name = scanner.text(of: token)
            return Self.fieldKeys.firstIndex { $0.rawValue == name }
        }
        let key = UnsafeBufferPointer(rebasing: scanner.bytes[token.start..<token.end])
        let names = Self.fieldNames
        func matches(_ field: Int) -> Bool {
            names[field].count == key.count
                && names[field].withUnsafeBufferPointer { memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 }
        }
        if expected < 12, matches(expected) { return expected }
        return (0..<12).first(where: matches)
    }

    private func checkFormats(_ user: User) -> Result<User, RejectionReason> {
        var user = user
        guard !user.id.isEmpty else { return .failure(.emptyID) }
        guard let id = UUIDText.canonical(user.id) else { return .failure(.invalidID(user.id)) }
        user.id = id
        guard FieldFormat.isEmail(user.email) else { return .failure(.invalidEmail(user.email)) }
        guard FieldFormat.isDateTime(user.dob) else { return .failure(.invalidDate(field: "dob", value: user.dob)) }
        guard FieldFormat.isDateTime(user.registeredDate) else {
            return .failure(.invalidDate(field: "registered_date", value: user.registeredDate))
        }
        return .success(user)
    }
}
