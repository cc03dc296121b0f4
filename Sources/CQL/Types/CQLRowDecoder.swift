import Foundation

/// Decodes a row into a `Decodable` type: keys are column names; values convert the way
/// a reader expects (text columns decode as `Int`, `UUID` or `Date` when the text parses;
/// typed columns decode as `String`), so one Swift type reads both an all-text and a typed table.
struct CQLRowDecoder: Decoder {
    let row: CQLRow
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(RowContainer(row: row, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        CQLValueUnkeyedContainer(elements: row.values, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        guard row.values.count == 1 else {
            throw DecodingError.typeMismatch(CQLRow.self, .init(codingPath: codingPath, debugDescription: "a single value needs a one-column row"))
        }
        return CQLValueDecoder(value: row.values[0], codingPath: codingPath)
    }

    struct RowContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let row: CQLRow
        let codingPath: [any CodingKey]
        var allKeys: [Key] { row.columns.compactMap { Key(stringValue: $0.name) } }

        func contains(_ key: Key) -> Bool { row[key.stringValue] != nil }

        func value(_ key: Key) throws -> CQLValue {
            guard let value = row[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no column \(key.stringValue) in the row (columns: \(row.columns.map(\.name).joined(separator: ", ")))"))
            }
            return value
        }

        func decodeNil(forKey key: Key) throws -> Bool { try value(key).isNull }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try CQLValueDecoder(value: try value(key), codingPath: codingPath + [key]).decode(type)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try CQLValueDecoder(value: try value(key), codingPath: codingPath + [key]).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try CQLValueDecoder(value: try value(key), codingPath: codingPath + [key]).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder { CQLRowDecoder(row: row, codingPath: codingPath) }
        func superDecoder(forKey key: Key) throws -> any Decoder { CQLValueDecoder(value: try value(key), codingPath: codingPath + [key]) }
    }
}

/// Decodes one CQL value (and, for collections, its elements).
struct CQLValueDecoder: Decoder, SingleValueDecodingContainer {
    let value: CQLValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        switch value {
        case .map(let entries):
            return KeyedDecodingContainer(MapContainer(entries: entries.map { ($0.key.description, $0.value) }, codingPath: codingPath))
        case .udt(let fields):
            return KeyedDecodingContainer(MapContainer(entries: fields.map { ($0.name, $0.value) }, codingPath: codingPath))
        default:
            throw mismatch([String: Any].self)
        }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .list(let elements), .set(let elements), .tuple(let elements): CQLValueUnkeyedContainer(elements: elements, codingPath: codingPath)
        case .null: CQLValueUnkeyedContainer(elements: [], codingPath: codingPath)
        default: throw mismatch([Any].self)
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { value.isNull }

    func mismatch(_ type: Any.Type) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "cannot read \(value.caseName) value \(value.shortDescription) as \(type)"))
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let converted = try convert(type) { return converted }
        return try T(from: self)
    }

    func decode(_ type: String.Type) throws -> String {
        switch value {
        case .null, .unset, .blob, .custom, .list, .set, .map, .tuple, .udt: throw mismatch(type)
        default: return value.description
        }
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .boolean(let flag) = try bound(.boolean) else { throw mismatch(type) }
        return flag
    }

    func decode(_ type: Double.Type) throws -> Double {
        guard case .double(let number) = try bound(.double) else { throw mismatch(type) }
        return number
    }

    func decode(_ type: Float.Type) throws -> Float {
        guard case .float(let number) = try bound(.float) else { throw mismatch(type) }
        return number
    }

    func decode(_ type: Int.Type) throws -> Int { Int(try integer(type)) }
    func decode(_ type: Int8.Type) throws -> Int8 { try narrow(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try narrow(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try narrow(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try narrow(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try narrow(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try narrow(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try narrow(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try narrow(type) }

    private func integer(_ type: Any.Type) throws -> Int64 {
        if case .timestamp(let millis) = value { return millis }
        if case .time(let nanos) = value { return nanos }
        if case .date(let days) = value { return Int64(days) }
        guard case .bigint(let number) = try bound(.bigint) else { throw mismatch(type) }
        return number
    }

    private func narrow<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard let number = T(exactly: try integer(type)) else { throw mismatch(type) }
        return number
    }

    private func bound(_ type: CQLDataType) throws -> CQLValue {
        if value.isNull { throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "the column is null")) }
        do { return try value.bound(to: type) } catch { throw mismatch(Any.self) }
    }

    /// Types with a natural CQL form that `Decodable` alone would not find.
    private func convert<T>(_ type: T.Type) throws -> T? {
        if type == CQLValue.self { return value as? T }
        if type == UUID.self {
            guard case .uuid(let uuid) = try bound(.uuid) else { throw mismatch(type) }
            return uuid as? T
        }
        if type == Date.self {
            guard case .timestamp(let millis) = try bound(.timestamp) else { throw mismatch(type) }
            return Date(timeIntervalSince1970: Double(millis) / 1000) as? T
        }
        if type == Data.self {
            guard case .blob(let bytes) = try bound(.blob) else { throw mismatch(type) }
            return Data(bytes) as? T
        }
        if type == Decimal.self {
            guard case .decimal(let decimal) = try bound(.decimal), let result = Decimal(string: decimal.description) else { throw mismatch(type) }
            return result as? T
        }
        return nil
    }

    struct MapContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let entries: [(String, CQLValue)]
        let codingPath: [any CodingKey]
        var allKeys: [Key] { entries.compactMap { Key(stringValue: $0.0) } }
        func contains(_ key: Key) -> Bool { entries.contains { $0.0 == key.stringValue } }
        func value(_ key: Key) throws -> CQLValue {
            guard let entry = entries.first(where: { $0.0 == key.stringValue }) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no entry \(key.stringValue)"))
            }
            return entry.1
        }
        func decodeNil(forKey key: Key) throws -> Bool { try value(key).isNull }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try CQLValueDecoder(value: try value(key), codingPath: codingPath + [key]).decode(type)
        }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try CQLValueDecoder(value: try value(key), codingPath: codingPath + [key]).container(keyedBy: type)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try CQLValueDecoder(value: try value(key), codingPath: codingPath + [key]).unkeyedContainer()
        }
        func superDecoder() throws -> any Decoder { CQLValueDecoder(value: .map([]), codingPath: codingPath) }
        func superDecoder(forKey key: Key) throws -> any Decoder { CQLValueDecoder(value: try value(key), codingPath: codingPath + [key]) }
    }
}

/// Walks the elements of a list, set, tuple or row.
struct CQLValueUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [CQLValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    init(elements: [CQLValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    private mutating func next() throws -> CQLValueDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "no element \(currentIndex)"))
        }
        defer { currentIndex += 1 }
        return CQLValueDecoder(value: elements[currentIndex], codingPath: codingPath)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}
