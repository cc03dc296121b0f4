import Foundation
import CivilCalendar

extension CQLValue {
    /// Converts this value to the form `type` needs on the wire, the way a prepared statement's
    /// bind-variable types ask: text "1990-05-01T12:00:00.000Z" bound to `timestamp` becomes
    /// milliseconds, to `text` it stays text; a UUID string bound to `uuid` becomes 16 bytes;
    /// a timestamp bound to `text` becomes ISO 8601 text. Throws when no faithful conversion exists.
    public func bound(to type: CQLDataType) throws(CQLError) -> CQLValue {
        switch self {
        case .null, .unset: return self
        default: break
        }
        func mismatch(_ why: String = "") -> CQLError {
            .invalidValue("cannot bind \(caseName) value \(shortDescription) to a \(type) column\(why.isEmpty ? "" : " — " + why)")
        }
        switch type {
        case .text, .ascii:
            let text: String
            switch self {
            case .ascii(let value), .text(let value): text = value
            case .blob, .custom, .list, .set, .map, .tuple, .udt, .duration: throw mismatch()
            default: text = description
            }
            if type == .ascii {
                guard text.utf8.allSatisfy({ $0 < 0x80 }) else { throw mismatch("ascii columns take only 7-bit characters") }
                return .ascii(text)
            }
            return .text(text)
        case .bigint, .counter, .int, .smallint, .tinyint, .varint:
            let number: CQLVarint
            switch self {
            case .bigint(let value), .counter(let value): number = CQLVarint(value)
            case .int(let value): number = CQLVarint(Int64(value))
            case .smallint(let value): number = CQLVarint(Int64(value))
            case .tinyint(let value): number = CQLVarint(Int64(value))
            case .varint(let value): number = value
            case .ascii(let text), .text(let text):
                guard let parsed = CQLVarint(text.trimmingCharacters(in: .whitespaces)) else { throw mismatch("not an integer") }
                number = parsed
            default: throw mismatch()
            }
            if type == .varint { return .varint(number) }
            guard let wide = number.int64Value else { throw mismatch("out of range") }
            switch type {
            case .bigint: return .bigint(wide)
            case .counter: return .counter(wide)
            case .int: guard let narrow = Int32(exactly: wide) else { throw mismatch("out of range") }; return .int(narrow)
            case .smallint: guard let narrow = Int16(exactly: wide) else { throw mismatch("out of range") }; return .smallint(narrow)
            default: guard let narrow = Int8(exactly: wide) else { throw mismatch("out of range") }; return .tinyint(narrow)
            }
        case .float, .double:
            let number: Double
            switch self {
            case .float(let value): number = Double(value)
            case .double(let value): number = value
            case .bigint(let value), .counter(let value): number = Double(value)
            case .int(let value): number = Double(value)
            case .smallint(let value): number = Double(value)
            case .tinyint(let value): number = Double(value)
            case .ascii(let text), .text(let text):
                guard let parsed = Double(text.trimmingCharacters(in: .whitespaces)) else { throw mismatch("not a number") }
                number = parsed
            default: throw mismatch()
            }
            return type == .float ? .float(Float(number)) : .double(number)
        case .decimal:
            switch self {
            case .decimal: return self
            case .bigint(let value), .counter(let value): return .decimal(CQLDecimal(unscaled: CQLVarint(value), scale: 0))
            case .int(let value): return .decimal(CQLDecimal(unscaled: CQLVarint(Int64(value)), scale: 0))
            case .varint(let value): return .decimal(CQLDecimal(unscaled: value, scale: 0))
            case .double, .float, .ascii, .text:
                guard let parsed = CQLDecimal(description.trimmingCharacters(in: .whitespaces)) else { throw mismatch("not a decimal number") }
                return .decimal(parsed)
            default: throw mismatch()
            }
        case .boolean:
            switch self {
            case .boolean: return self
            case .ascii(let text), .text(let text):
                switch text.lowercased() {
                case "true": return .boolean(true)
                case "false": return .boolean(false)
                default: throw mismatch("expected true or false")
                }
            default: throw mismatch()
            }
        case .timestamp:
            switch self {
            case .timestamp: return self
            case .date(let days): return .timestamp(Int64(days) * CQLCalendar.millisecondsPerDay)
            case .bigint(let millis): return .timestamp(millis)
            case .ascii(let text), .text(let text):
                guard let millis = CQLCalendar.parseTimestamp(text.trimmingCharacters(in: .whitespaces)) else {
                    throw mismatch("expected ISO 8601 such as 1990-05-01T12:00:00.000Z")
                }
                return .timestamp(millis)
            default: throw mismatch()
            }
        case .date:
            switch self {
            case .date: return self
            case .timestamp(let millis):
                return .date(Int32(clamping: CivilDate.floorDivide(millis, CQLCalendar.millisecondsPerDay)))
            case .ascii(let text), .text(let text):
                // A full timestamp keeps its calendar day in UTC.
                guard let millis = CQLCalendar.parseTimestamp(text.trimmingCharacters(in: .whitespaces)),
                      let days = Int32(exactly: CivilDate.floorDivide(millis, CQLCalendar.millisecondsPerDay)) else {
                    throw mismatch("expected a date such as 1990-05-01")
                }
                return .date(days)
            default: throw mismatch()
            }
        case .time:
            switch self {
            case .time: return self
            case .bigint(let nanos): return .time(nanos)
            case .ascii(let text), .text(let text):
                guard let nanos = CQLCalendar.parseTime(Substring(text.trimmingCharacters(in: .whitespaces))) else {
                    throw mismatch("expected a time such as 12:30:00.000")
                }
                return .time(nanos)
            default: throw mismatch()
            }
        case .uuid, .timeuuid:
            let uuid: UUID
            switch self {
            case .uuid(let value), .timeuuid(let value): uuid = value
            case .ascii(let text), .text(let text):
                guard let parsed = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else { throw mismatch("not a UUID") }
                uuid = parsed
            case .blob(let bytes) where bytes.count == 16:
                uuid = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                                   bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
            default: throw mismatch()
            }
            return type == .uuid ? .uuid(uuid) : .timeuuid(uuid)
        case .blob:
            switch self {
            case .blob: return self
            case .ascii(let text), .text(let text): return .blob(Array(text.utf8))
            default: throw mismatch()
            }
        case .inet:
            switch self {
            case .inet: return self
            case .ascii(let text), .text(let text):
                guard let address = CQLInetAddress(text.trimmingCharacters(in: .whitespaces)) else { throw mismatch("not an IP address") }
                return .inet(address)
            default: throw mismatch()
            }
        case .duration:
            guard case .duration = self else { throw mismatch() }
            return self
        case .custom:
            switch self {
            case .custom: return self
            case .blob(let bytes): return .custom(bytes)
            default: throw mismatch()
            }
        case .list(let elementType), .set(let elementType):
            let elements: [CQLValue]
            switch self {
            case .list(let values), .set(let values): elements = values
            default: throw mismatch()
            }
            var converted: [CQLValue] = []
            for element in elements { converted.append(try element.bound(to: elementType)) }
            if case .list = type { return .list(converted) }
            return .set(converted)
        case .map(let keyType, let valueType):
            guard case .map(let entries) = self else { throw mismatch() }
            var converted: [CQLMapEntry] = []
            for entry in entries {
                converted.append(CQLMapEntry(key: try entry.key.bound(to: keyType), value: try entry.value.bound(to: valueType)))
            }
            return .map(converted)
        case .tuple(let types):
            guard case .tuple(let values) = self, values.count <= types.count else { throw mismatch() }
            var converted: [CQLValue] = []
            for (value, elementType) in zip(values, types) { converted.append(try value.bound(to: elementType)) }
            return .tuple(converted)
        case .udt(_, _, let fields):
            guard case .udt(let values) = self else { throw mismatch() }
            var converted: [CQLUDTFieldValue] = []
            for field in fields {
                let value = values.first(where: { $0.name == field.name })?.value ?? .null
                converted.append(CQLUDTFieldValue(name: field.name, value: try value.bound(to: field.type)))
            }
            return .udt(converted)
        }
    }

    var caseName: String {
        switch self {
        case .null: "null"
        case .unset: "unset"
        case .ascii: "ascii"
        case .text: "text"
        case .bigint: "bigint"
        case .counter: "counter"
        case .int: "int"
        case .smallint: "smallint"
        case .tinyint: "tinyint"
        case .varint: "varint"
        case .boolean: "boolean"
        case .float: "float"
        case .double: "double"
        case .decimal: "decimal"
        case .timestamp: "timestamp"
        case .date: "date"
        case .time: "time"
        case .uuid: "uuid"
        case .timeuuid: "timeuuid"
        case .blob: "blob"
        case .inet: "inet"
        case .duration: "duration"
        case .list: "list"
        case .set: "set"
        case .map: "map"
        case .tuple: "tuple"
        case .udt: "udt"
        case .custom: "custom"
        }
    }

    /// A bounded rendering for error messages, so a huge value cannot flood a log line.
    var shortDescription: String {
        let text = description
        return text.count > 60 ? "\"" + text.prefix(57) + "...\"" : "\"" + text + "\""
    }
}
