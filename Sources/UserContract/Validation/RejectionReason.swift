/// Kind of a JSON value, for rejection messages.
public enum JSONValueKind: String, Sendable, Equatable {
    case string, number, boolean, null, object, array
}

/// Why a `users_created` message was rejected; `code` is stable and machine-readable (DLQ header).
public enum RejectionReason: Error, Sendable, Equatable, CustomStringConvertible {
    /// The record has no value (a tombstone).
    case nullValue
    /// The value has zero bytes.
    case emptyValue
    /// The value is larger than the configured maximum.
    case oversizedValue(size: Int, limit: Int)
    /// The value is not valid UTF-8 at this byte offset.
    case invalidUTF8(offset: Int)
    /// The value is not JSON; `offset` is where parsing stopped.
    case notJSON(offset: Int, detail: String)
    /// The value is JSON but not an object.
    case notObject(found: JSONValueKind)
    /// A contract field is absent.
    case missingField(String)
    /// A key that is not one of the contract's twelve fields.
    case unknownField(String)
    /// A key that occurs twice.
    case duplicateField(String)
    /// A field whose value is not a string (numbers, booleans, objects, arrays).
    case wrongType(field: String, found: JSONValueKind)
    /// A field whose value is JSON `null`.
    case nullField(String)
    /// `id` is the empty string.
    case emptyID
    /// `id` is not UUID text.
    case invalidID(String)
    /// `email` does not look like an address.
    case invalidEmail(String)
    /// `dob` or `registered_date` is not an ISO-8601 date-time with a zone.
    case invalidDate(field: String, value: String)
    /// A field value longer than the configured maximum (UTF-8 bytes).
    case fieldTooLong(field: String, length: Int, limit: Int)
    /// A string escapes half of a UTF-16 surrogate pair (`\ud800`): no character, and not stored as U+FFFD.
    case loneSurrogate(field: String)
    /// A valid user the sink refused for that user alone (a constraint, a value it cannot take);
    /// holds the sink's message. Found at write time, never by the validator.
    case sinkRejected(String)

    /// The stable codes, one per case: what `dlq.reason` holds for a rejected record.
    public enum Code: String, CaseIterable, Sendable {
        case nullValue = "null_value", emptyValue = "empty_value", oversizedValue = "oversized_value"
        case invalidUTF8 = "invalid_utf8", notJSON = "not_json", notObject = "not_object"
        case missingField = "missing_field", unknownField = "unknown_field", duplicateField = "duplicate_field"
        case wrongType = "wrong_type", nullField = "null_field", emptyID = "empty_id", invalidID = "invalid_id"
        case invalidEmail = "invalid_email", invalidDate = "invalid_date", fieldTooLong = "field_too_long"
        case loneSurrogate = "lone_surrogate", sinkRejected = "sink_rejected"
    }

    /// This reason's case, without its details.
    public var kind: Code {
        switch self {
        case .nullValue: .nullValue
        case .emptyValue: .emptyValue
        case .oversizedValue: .oversizedValue
        case .invalidUTF8: .invalidUTF8
        case .notJSON: .notJSON
        case .notObject: .notObject
        case .missingField: .missingField
        case .unknownField: .unknownField
        case .duplicateField: .duplicateField
        case .wrongType: .wrongType
        case .nullField: .nullField
        case .emptyID: .emptyID
        case .invalidID: .invalidID
        case .invalidEmail: .invalidEmail
        case .invalidDate: .invalidDate
        case .fieldTooLong: .fieldTooLong
        case .loneSurrogate: .loneSurrogate
        case .sinkRejected: .sinkRejected
        }
    }

    /// Stable code for headers, metrics labels and scripts.
    public var code: String { kind.rawValue }

    /// The contract field the reason is about, if any.
    public var field: String? {
        switch self {
        case .missingField(let field), .unknownField(let field), .duplicateField(let field), .nullField(let field):
            field
        case .wrongType(let field, _), .invalidDate(let field, _), .fieldTooLong(let field, _, _), .loneSurrogate(let field): field
        case .emptyID, .invalidID: "id"
        case .invalidEmail: "email"
        default: nil
        }
    }

    /// A human-readable explanation.
    public var message: String {
        switch self {
        case .nullValue: "the record has no value (null); a user must be a JSON object"
        case .emptyValue: "the record value is empty (0 bytes); a user must be a JSON object"
        case .oversizedValue(let size, let limit): "the value is \(size) bytes, over the \(limit)-byte limit"
        case .invalidUTF8(let offset): "the value is not valid UTF-8 (byte offset \(offset))"
        case .notJSON(let offset, let detail): "the value is not JSON: \(detail) at byte offset \(offset)"
        case .notObject(let found): "the value is a JSON \(found.rawValue), not an object"
        case .missingField(let field): "field \"\(field)\" is missing"
        case .unknownField(let field): "field \"\(Self.excerpt(field))\" is not part of the users_created contract"
        case .duplicateField(let field): "field \"\(field)\" occurs more than once"
        case .wrongType(let field, let found): "field \"\(field)\" is a \(found.rawValue); the contract requires a string"
        case .nullField(let field): "field \"\(field)\" is null; the contract requires a string"
        case .emptyID: "field \"id\" is empty; it must be a UUID"
        case .invalidID(let value): "field \"id\" is \"\(Self.excerpt(value))\", not a UUID"
        case .invalidEmail(let value): "field \"email\" is \"\(Self.excerpt(value))\", not an email address"
        case .invalidDate(let field, let value):
            "field \"\(field)\" is \"\(Self.excerpt(value))\", not an ISO-8601 date-time such as 1993-07-20T09:44:18.674Z"
        case .fieldTooLong(let field, let length, let limit): "field \"\(field)\" is \(length) bytes, over the \(limit)-byte limit"
        case .loneSurrogate(let field):
            "field \"\(field)\" escapes half of a UTF-16 surrogate pair (\\uD800…\\uDFFF alone), which is no character"
        case .sinkRejected(let message): message
        }
    }

    public var description: String { "\(code): \(message)" }

    /// Keeps messages short when a value is huge or hostile.
    static func excerpt(_ value: String, limit: Int = 64) -> String {
        value.count <= limit ? value : String(value.prefix(limit)) + "…"
    }
}
