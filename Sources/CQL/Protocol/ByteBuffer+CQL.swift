import NIOCore

/// Reads and writes the notation types of the CQL native protocol (section 3 of the spec).
/// All integers are big-endian. Readers return nil when the buffer ends early,
/// so decoders can turn a short body into a typed error.
extension ByteBuffer {
    // MARK: [string], [long string]

    /// Writes a [string]: a [short] length and UTF-8 bytes.
    @discardableResult
    public mutating func writeCQLString(_ string: String) -> Int {
        let utf8 = string.utf8
        precondition(utf8.count <= Int(UInt16.max), "a CQL [string] holds at most 65535 bytes")
        return writeInteger(UInt16(utf8.count)) + writeString(string)
    }

    /// Reads a [string].
    public mutating func readCQLString() -> String? {
        guard let length = readInteger(as: UInt16.self) else { return nil }
        return readString(length: Int(length))
    }

    /// Writes a [long string]: an [int] length and UTF-8 bytes.
    @discardableResult
    public mutating func writeCQLLongString(_ string: String) -> Int {
        writeInteger(Int32(string.utf8.count)) + writeString(string)
    }

    /// Reads a [long string].
    public mutating func readCQLLongString() -> String? {
        guard let length = readInteger(as: Int32.self), length >= 0 else { return nil }
        return readString(length: Int(length))
    }

    /// Writes a [string list].
    public mutating func writeCQLStringList(_ list: [String]) {
        writeInteger(UInt16(list.count))
        for item in list { writeCQLString(item) }
    }

    /// Reads a [string list].
    public mutating func readCQLStringList() -> [String]? {
        guard let count = readInteger(as: UInt16.self) else { return nil }
        var list: [String] = []
        list.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let item = readCQLString() else { return nil }
            list.append(item)
        }
        return list
    }

    // MARK: [bytes], [short bytes], [value]

    /// Writes [bytes]; nil is written as length -1 (null).
    public mutating func writeCQLBytes(_ bytes: [UInt8]?) {
        guard let bytes else {
            writeInteger(Int32(-1))
            return
        }
        writeInteger(Int32(bytes.count))
        writeBytes(bytes)
    }

    /// Reads [bytes]; a negative length is null, returned as `.some(nil)`.
    public mutating func readCQLBytes() -> [UInt8]?? {
        guard let length = readInteger(as: Int32.self) else { return nil }
        if length < 0 { return .some(nil) }
        guard let bytes = readBytes(length: Int(length)) else { return nil }
        return .some(bytes)
    }

    /// Reads [bytes] as a slice of this buffer without copying; a negative length is null.
    public mutating func readCQLBytesSlice() -> ByteBuffer?? {
        guard let length = readInteger(as: Int32.self) else { return nil }
        if length < 0 { return .some(nil) }
        guard let slice = readSlice(length: Int(length)) else { return nil }
        return .some(slice)
    }

    /// Writes [short bytes].
    public mutating func writeCQLShortBytes(_ bytes: [UInt8]) {
        precondition(bytes.count <= Int(UInt16.max), "CQL [short bytes] hold at most 65535 bytes")
        writeInteger(UInt16(bytes.count))
        writeBytes(bytes)
    }

    /// Reads [short bytes].
    public mutating func readCQLShortBytes() -> [UInt8]? {
        guard let length = readInteger(as: UInt16.self) else { return nil }
        return readBytes(length: Int(length))
    }

    // MARK: maps

    /// Writes a [string map] with keys in the order given.
    public mutating func writeCQLStringMap(_ pairs: [(String, String)]) {
        writeInteger(UInt16(pairs.count))
        for (key, value) in pairs {
            writeCQLString(key)
            writeCQLString(value)
        }
    }

    /// Reads a [string map].
    public mutating func readCQLStringMap() -> [String: String]? {
        guard let count = readInteger(as: UInt16.self) else { return nil }
        var map: [String: String] = [:]
        for _ in 0..<count {
            guard let key = readCQLString(), let value = readCQLString() else { return nil }
            map[key] = value
        }
        return map
    }

    /// Reads a [string multimap].
    public mutating func readCQLStringMultimap() -> [String: [String]]? {
        guard let count = readInteger(as: UInt16.self) else { return nil }
        var map: [String: [String]] = [:]
        for _ in 0..<count {
            guard let key = readCQLString(), let value = readCQLStringList() else { return nil }
            map[key] = value
        }
        return map
    }

    /// Writes a [string multimap] with keys in the order given.
    public mutating func writeCQLStringMultimap(_ pairs: [(String, [String])]) {
        writeInteger(UInt16(pairs.count))
        for (key, values) in pairs {
            writeCQLString(key)
            writeCQLStringList(values)
        }
    }

    /// Reads a [bytes map].
    public mutating func readCQLBytesMap() -> [String: [UInt8]?]? {
        guard let count = readInteger(as: UInt16.self) else { return nil }
        var map: [String: [UInt8]?] = [:]
        for _ in 0..<count {
            guard let key = readCQLString(), let value = readCQLBytes() else { return nil }
            map[key] = value
        }
        return map
    }

    // MARK: [inet], [inetaddr], [consistency], [uuid]

    /// Writes an [inetaddr]: a length byte and 4 or 16 address bytes.
    public mutating func writeCQLInetAddress(_ address: CQLInetAddress) {
        writeInteger(UInt8(address.bytes.count))
        writeBytes(address.bytes)
    }

    /// Reads an [inetaddr].
    public mutating func readCQLInetAddress() -> CQLInetAddress? {
        guard let size = readInteger(as: UInt8.self), size == 4 || size == 16,
              let bytes = readBytes(length: Int(size)) else { return nil }
        return CQLInetAddress(bytes: bytes)
    }

    /// Writes an [inet]: an [inetaddr] followed by an [int] port.
    public mutating func writeCQLInet(_ address: CQLInetAddress, port: Int32) {
        writeCQLInetAddress(address)
        writeInteger(port)
    }

    /// Reads an [inet].
    public mutating func readCQLInet() -> (address: CQLInetAddress, port: Int32)? {
        guard let address = readCQLInetAddress(), let port = readInteger(as: Int32.self) else { return nil }
        return (address, port)
    }

    /// Writes a [consistency].
    public mutating func writeCQLConsistency(_ consistency: CQLConsistency) {
        writeInteger(consistency.rawValue)
    }

    /// Reads a [consistency]; unknown codes are kept as they are.
    public mutating func readCQLConsistency() -> CQLConsistency? {
        readInteger(as: UInt16.self).map(CQLConsistency.init(rawValue:))
    }

    /// Reads a [uuid] (16 bytes).
    public mutating func readCQLUUID() -> [UInt8]? {
        readBytes(length: 16)
    }
}
