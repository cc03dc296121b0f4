/// Decodes an Arrow IPC stream (schema message, then record batches) into rows.
///
/// Handles the flat column types Spark sends for simple queries: null, boolean, int8/16/32/64,
/// float, double and UTF-8 strings, each with its validity bitmap.
public struct ArrowStreamReader: Sendable {
    /// A column of the stream's schema.
    struct Field: Sendable {
        let name: String
        let typeID: UInt8
        let bitWidth: Int32
        let floatPrecision: Int16
    }

    private(set) var fields: [Field] = []

    /// A reader that has seen no schema yet.
    public init() {}

    /// Column names of the schema read so far.
    public var columns: [String] { fields.map(\.name) }

    /// Reads every message of one IPC stream and returns its rows.
    public mutating func read(_ stream: [UInt8]) throws(ArrowDecodingError) -> [Row] {
        var rows: [Row] = []
        var at = 0
        while at + 4 <= stream.count {
            var length = try readInt32(stream, at)
            at += 4
            if length == -1 {  // continuation marker, then the real length
                length = try readInt32(stream, at)
                at += 4
            }
            if length == 0 { break }  // end of stream
            let metadataStart = at
            at += Int(length)
            guard at <= stream.count else { throw .truncated }
            let message = try FlatBufferTable.root(of: stream, at: metadataStart)
            let headerType = try message.uint8(1)
            let bodyLength = Int(try message.int64(3))
            let body = at
            at += bodyLength
            guard at <= stream.count else { throw .truncated }
            guard let header = try message.table(2) else { continue }
            switch headerType {
            case 1: fields = try Self.schema(header)
            case 3: rows += try recordBatch(header, stream: stream, body: body)
            default: continue  // dictionaries and tensors are not used by the queries here
            }
        }
        return rows
    }

    private static func schema(_ schema: FlatBufferTable) throws(ArrowDecodingError) -> [Field] {
        var fields: [Field] = []
        for field in try schema.tables(1) {
            let name = try field.string(0) ?? ""
            let typeID = try field.uint8(2)
            let type = try field.table(3)
            switch typeID {
            case 1, 5, 6:
                fields.append(Field(name: name, typeID: typeID, bitWidth: 0, floatPrecision: 0))
            case 2:
                fields.append(Field(name: name, typeID: typeID, bitWidth: try type?.int32(0) ?? 0, floatPrecision: 0))
            case 3:
                fields.append(Field(name: name, typeID: typeID, bitWidth: 0, floatPrecision: try type?.int16(0) ?? 0))
            default:
                throw .unsupportedType(column: name, typeID: typeID)
            }
        }
        return fields
    }

    private func recordBatch(_ batch: FlatBufferTable, stream: [UInt8], body: Int) throws(ArrowDecodingError) -> [Row] {
        let nodeCount = try batch.vector(1)?.count ?? 0
        guard !fields.isEmpty || nodeCount == 0 else { throw .recordBatchBeforeSchema }
        if try batch.table(3) != nil { throw .compressedBody }
        let count = Int(try batch.int64(0))
        let nodes = try batch.int64Structs(1, width: 2)
        let buffers = try batch.int64Structs(2, width: 2).map { (offset: body + Int($0[0]), length: Int($0[1])) }
        var nextBuffer = 0
        func take() throws(ArrowDecodingError) -> (offset: Int, length: Int) {
            guard nextBuffer < buffers.count else { throw .truncated }
            defer { nextBuffer += 1 }
            let buffer = buffers[nextBuffer]
            guard buffer.offset + buffer.length <= stream.count else { throw .truncated }
            return buffer
        }
        var columns: [[SparkValue]] = []
        for (index, field) in fields.enumerated() {
            let nullCount = index < nodes.count ? nodes[index][1] : 0
            if field.typeID == 1 {  // Null: no buffers in the current format
                columns.append(Array(repeating: .null, count: count))
                continue
            }
            let validity = try take()
            func isValid(_ row: Int) -> Bool {
                guard nullCount > 0, validity.length > 0 else { return true }
                return stream[validity.offset + row / 8] & (1 << UInt8(row % 8)) != 0
            }
            var column: [SparkValue] = []
            column.reserveCapacity(count)
            switch field.typeID {
            case 2:
                let values = try take()
                let width = Int(field.bitWidth) / 8
                guard values.length >= width * count else { throw .truncated }
                for row in 0..<count {
                    guard isValid(row) else { column.append(.null); continue }
                    let at = values.offset + row * width
                    switch width {
                    case 8: column.append(.int64(Int64(bitPattern: try readUInt64(stream, at))))
                    case 4: column.append(.int32(try readInt32(stream, at)))
                    case 2: column.append(.int32(Int32(Int16(bitPattern: try readUInt16(stream, at)))))
                    default: column.append(.int32(Int32(Int8(bitPattern: stream[at]))))
                    }
                }
            case 3:
                let values = try take()
                let width = field.floatPrecision == 2 ? 8 : 4
                guard field.floatPrecision != 0 else { throw .unsupportedType(column: field.name, typeID: field.typeID) }
                guard values.length >= width * count else { throw .truncated }
                for row in 0..<count {
                    guard isValid(row) else { column.append(.null); continue }
                    let at = values.offset + row * width
                    column.append(width == 8
                        ? .double(Double(bitPattern: try readUInt64(stream, at)))
                        : .double(Double(Float(bitPattern: try readUInt32(stream, at)))))
                }
            case 5:
                let offsets = try take()
                let data = try take()
                guard offsets.length >= 4 * (count + 1) || count == 0 else { throw .truncated }
                for row in 0..<count {
                    guard isValid(row) else { column.append(.null); continue }
                    let start = Int(try readInt32(stream, offsets.offset + 4 * row))
                    let end = Int(try readInt32(stream, offsets.offset + 4 * row + 4))
                    guard start <= end, end <= data.length else { throw .truncated }
                    column.append(.string(String(decoding: stream[data.offset + start..<data.offset + end], as: UTF8.self)))
                }
            case 6:
                let values = try take()
                guard values.length * 8 >= count else { throw .truncated }
                for row in 0..<count {
                    guard isValid(row) else { column.append(.null); continue }
                    column.append(.bool(stream[values.offset + row / 8] & (1 << UInt8(row % 8)) != 0))
                }
            default:
                throw .unsupportedType(column: field.name, typeID: field.typeID)
            }
            columns.append(column)
        }
        let names = columns.isEmpty ? [] : fields.map(\.name)
        return (0..<count).map { row in Row(columns: names, values: columns.map { $0[row] }) }
    }
}
