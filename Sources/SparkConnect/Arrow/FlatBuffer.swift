/// A read-only view of one flatbuffer table, enough to walk Arrow's IPC metadata.
///
/// Offsets follow the flatbuffers binary format: a table starts with a signed offset back to
/// its vtable; the vtable lists, per field, the field's offset inside the table (0 = absent).
struct FlatBufferTable {
    let bytes: [UInt8]
    let position: Int

    /// The root table of a flatbuffer starting at `start` in `bytes`.
    static func root(of bytes: [UInt8], at start: Int = 0) throws(ArrowDecodingError) -> FlatBufferTable {
        let offset = try Int(readUInt32(bytes, start))
        return FlatBufferTable(bytes: bytes, position: start + offset)
    }

    /// Byte position of field `index`, or nil when the field is absent (default value).
    private func fieldPosition(_ index: Int) throws(ArrowDecodingError) -> Int? {
        let vtable = position - Int(try readInt32(bytes, position))
        let vtableSize = Int(try readUInt16(bytes, vtable))
        let slot = 4 + 2 * index
        guard slot + 2 <= vtableSize else { return nil }
        let offset = Int(try readUInt16(bytes, vtable + slot))
        return offset == 0 ? nil : position + offset
    }

    func int64(_ index: Int, default value: Int64 = 0) throws(ArrowDecodingError) -> Int64 {
        guard let at = try fieldPosition(index) else { return value }
        return Int64(bitPattern: try readUInt64(bytes, at))
    }

    func int32(_ index: Int, default value: Int32 = 0) throws(ArrowDecodingError) -> Int32 {
        guard let at = try fieldPosition(index) else { return value }
        return try readInt32(bytes, at)
    }

    func int16(_ index: Int, default value: Int16 = 0) throws(ArrowDecodingError) -> Int16 {
        guard let at = try fieldPosition(index) else { return value }
        return Int16(bitPattern: try readUInt16(bytes, at))
    }

    func uint8(_ index: Int, default value: UInt8 = 0) throws(ArrowDecodingError) -> UInt8 {
        guard let at = try fieldPosition(index) else { return value }
        guard at < bytes.count else { throw .truncated }
        return bytes[at]
    }

    func bool(_ index: Int, default value: Bool = false) throws(ArrowDecodingError) -> Bool {
        try uint8(index, default: value ? 1 : 0) != 0
    }

    /// The table referenced by field `index` (also a union's value).
    func table(_ index: Int) throws(ArrowDecodingError) -> FlatBufferTable? {
        guard let at = try fieldPosition(index) else { return nil }
        return FlatBufferTable(bytes: bytes, position: at + Int(try readUInt32(bytes, at)))
    }

    func string(_ index: Int) throws(ArrowDecodingError) -> String? {
        guard let (start, count) = try vector(index) else { return nil }
        guard start + count <= bytes.count else { throw .truncated }
        return String(decoding: bytes[start..<start + count], as: UTF8.self)
    }

    /// Start and element count of the vector referenced by field `index`.
    func vector(_ index: Int) throws(ArrowDecodingError) -> (start: Int, count: Int)? {
        guard let at = try fieldPosition(index) else { return nil }
        let vector = at + Int(try readUInt32(bytes, at))
        return (vector + 4, Int(try readUInt32(bytes, vector)))
    }

    /// The tables of a vector of tables.
    func tables(_ index: Int) throws(ArrowDecodingError) -> [FlatBufferTable] {
        guard let (start, count) = try vector(index) else { return [] }
        var result: [FlatBufferTable] = []
        for element in 0..<count {
            let at = start + 4 * element
            result.append(FlatBufferTable(bytes: bytes, position: at + Int(try readUInt32(bytes, at))))
        }
        return result
    }

    /// A vector of structs made of `int64`s, `width` of them per struct.
    func int64Structs(_ index: Int, width: Int) throws(ArrowDecodingError) -> [[Int64]] {
        guard let (start, count) = try vector(index) else { return [] }
        var result: [[Int64]] = []
        for element in 0..<count {
            var values: [Int64] = []
            for member in 0..<width {
                values.append(Int64(bitPattern: try readUInt64(bytes, start + 8 * (element * width + member))))
            }
            result.append(values)
        }
        return result
    }
}

func readUInt16(_ bytes: [UInt8], _ at: Int) throws(ArrowDecodingError) -> UInt16 {
    guard at >= 0, at + 2 <= bytes.count else { throw .truncated }
    return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
}

func readUInt32(_ bytes: [UInt8], _ at: Int) throws(ArrowDecodingError) -> UInt32 {
    guard at >= 0, at + 4 <= bytes.count else { throw .truncated }
    var value: UInt32 = 0
    for shift in 0..<4 { value |= UInt32(bytes[at + shift]) << (8 * shift) }
    return value
}

func readInt32(_ bytes: [UInt8], _ at: Int) throws(ArrowDecodingError) -> Int32 {
    Int32(bitPattern: try readUInt32(bytes, at))
}

func readUInt64(_ bytes: [UInt8], _ at: Int) throws(ArrowDecodingError) -> UInt64 {
    guard at >= 0, at + 8 <= bytes.count else { throw .truncated }
    var value: UInt64 = 0
    for shift in 0..<8 { value |= UInt64(bytes[at + shift]) << (8 * shift) }
    return value
}
