import Foundation
import NIOCore

extension ByteBuffer {
    /// Writes `value` as a [value]: an [int] length (−1 null, −2 unset) and the serialised bytes
    /// in the format of its own case (section 6 of the v4 spec).
    public mutating func writeCQLValue(_ value: CQLValue) {
        switch value {
        case .null: writeInteger(Int32(-1))
        case .unset: writeInteger(Int32(-2))
        default:
            let lengthIndex = writerIndex
            writeInteger(Int32(0))
            let written = writeCQLValueContent(value)
            setInteger(Int32(written), at: lengthIndex)
        }
    }

    /// Writes the serialised bytes of `value` without a length; returns the byte count.
    @discardableResult
    mutating func writeCQLValueContent(_ value: CQLValue) -> Int {
        let start = writerIndex
        switch value {
        case .null, .unset: break
        case .ascii(let text), .text(let text): writeString(text)
        case .bigint(let number), .counter(let number), .timestamp(let number), .time(let number): writeInteger(number)
        case .int(let number): writeInteger(number)
        case .smallint(let number): writeInteger(number)
        case .tinyint(let number): writeInteger(number)
        case .varint(let number): writeBytes(number.bytes)
        case .boolean(let flag): writeInteger(UInt8(flag ? 1 : 0))
        case .float(let number): writeInteger(number.bitPattern)
        case .double(let number): writeInteger(number.bitPattern)
        case .decimal(let number):
            writeInteger(number.scale)
            writeBytes(number.unscaled.bytes)
        case .date(let days): writeInteger(UInt32(bitPattern: days) ^ 0x8000_0000)
        case .uuid(let uuid), .timeuuid(let uuid): writeUUIDBytes(uuid)
        case .blob(let bytes), .custom(let bytes): writeBytes(bytes)
        case .inet(let address): writeBytes(address.bytes)
        case .duration(let months, let days, let nanos):
            writeCQLVInt(Int64(months))
            writeCQLVInt(Int64(days))
            writeCQLVInt(nanos)
        case .list(let elements), .set(let elements):
            writeInteger(Int32(elements.count))
            for element in elements { writeCQLValue(element) }
        case .map(let entries):
            writeInteger(Int32(entries.count))
            for entry in entries {
                writeCQLValue(entry.key)
                writeCQLValue(entry.value)
            }
        case .tuple(let elements):
            for element in elements { writeCQLValue(element) }
        case .udt(let fields):
            for field in fields { writeCQLValue(field.value) }
        }
        return writerIndex - start
    }

    /// Writes a zig-zag [vint] (used by `duration`).
    mutating func writeCQLVInt(_ value: Int64) {
        let zigzag = UInt64(bitPattern: (value >> 63) ^ (value << 1))
        let significantBits = 64 - zigzag.leadingZeroBitCount
        var extraBytes = max(0, (significantBits - 1) / 7)
        if extraBytes > 8 { extraBytes = 8 }
        if extraBytes == 8 {
            writeInteger(UInt8(0xFF))
            writeInteger(zigzag)
            return
        }
        let firstByteMarker = UInt8(truncatingIfNeeded: 0xFF00 >> extraBytes)
        var bytes: [UInt8] = []
        for index in (0...extraBytes).reversed() {
            bytes.append(UInt8(truncatingIfNeeded: zigzag >> (8 * UInt64(index))))
        }
        bytes[0] |= firstByteMarker
        writeBytes(bytes)
    }

    /// Reads a zig-zag [vint].
    mutating func readCQLVInt() -> Int64? {
        guard let first = readInteger(as: UInt8.self) else { return nil }
        let extraBytes = (~first).leadingZeroBitCount
        var value = UInt64(first & (extraBytes >= 8 ? 0 : UInt8(0xFF) >> extraBytes))
        for _ in 0..<extraBytes {
            guard let byte = readInteger(as: UInt8.self) else { return nil }
            value = value << 8 | UInt64(byte)
        }
        return Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    mutating func writeUUIDBytes(_ uuid: UUID) {
        let u = uuid.uuid
        writeBytes([u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7, u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15])
    }
}

extension CQLValue {
    /// Decodes the bytes of one [bytes] cell (nil meaning null) as `type`.
    public static func decode(_ cell: ByteBuffer?, as type: CQLDataType) throws(CQLError) -> CQLValue {
        guard var buffer = cell else { return .null }
        return try decodeContent(&buffer, as: type)
    }

    static func decodeContent(_ buffer: inout ByteBuffer, as type: CQLDataType) throws(CQLError) -> CQLValue {
        func fixed<T: FixedWidthInteger>(_: T.Type) throws(CQLError) -> T {
            guard buffer.readableBytes == MemoryLayout<T>.size, let value = buffer.readInteger(as: T.self) else {
                throw .invalidValue("a \(type) value must be \(MemoryLayout<T>.size) bytes, got \(buffer.readableBytes)")
            }
            return value
        }
        func rest() -> [UInt8] { buffer.readBytes(length: buffer.readableBytes) ?? [] }
        func element(_ elementType: CQLDataType) throws(CQLError) -> CQLValue {
            guard let cell = buffer.readCQLBytesSlice() else { throw .truncated("\(type) element") }
            return try decode(cell, as: elementType)
        }
        func count() throws(CQLError) -> Int {
            guard let count = buffer.readInteger(as: Int32.self), count >= 0 else { throw .truncated("\(type) element count") }
            return Int(count)
        }
        // Legacy empty values of non-string types read as null.
        if buffer.readableBytes == 0 {
            switch type {
            case .ascii: return .ascii("")
            case .text: return .text("")
            case .blob: return .blob([])
            case .custom: return .custom([])
            default: return .null
            }
        }
        switch type {
        case .ascii: return .ascii(buffer.readString(length: buffer.readableBytes) ?? "")
        case .text:
            guard let text = buffer.readString(length: buffer.readableBytes) else { throw .invalidValue("text value is not UTF-8") }
            return .text(text)
        case .bigint: return .bigint(try fixed(Int64.self))
        case .counter: return .counter(try fixed(Int64.self))
        case .int: return .int(try fixed(Int32.self))
        case .smallint: return .smallint(try fixed(Int16.self))
        case .tinyint: return .tinyint(try fixed(Int8.self))
        case .timestamp: return .timestamp(try fixed(Int64.self))
        case .time: return .time(try fixed(Int64.self))
        case .date: return .date(Int32(bitPattern: try fixed(UInt32.self) ^ 0x8000_0000))
        case .boolean: return .boolean(try fixed(UInt8.self) != 0)
        case .float: return .float(Float(bitPattern: try fixed(UInt32.self)))
        case .double: return .double(Double(bitPattern: try fixed(UInt64.self)))
        case .varint: return .varint(CQLVarint(bytes: rest()))
        case .decimal:
            guard let scale = buffer.readInteger(as: Int32.self) else { throw .truncated("decimal scale") }
            return .decimal(CQLDecimal(unscaled: CQLVarint(bytes: rest()), scale: scale))
        case .uuid, .timeuuid:
            guard buffer.readableBytes == 16, let bytes = buffer.readBytes(length: 16) else {
                throw .invalidValue("a \(type) value must be 16 bytes, got \(buffer.readableBytes)")
            }
            let uuid = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                                   bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
            return type == .uuid ? .uuid(uuid) : .timeuuid(uuid)
        case .blob: return .blob(rest())
        case .custom: return .custom(rest())
        case .inet:
            let bytes = rest()
            guard bytes.count == 4 || bytes.count == 16 else { throw .invalidValue("an inet value must be 4 or 16 bytes, got \(bytes.count)") }
            return .inet(CQLInetAddress(bytes: bytes))
        case .duration:
            guard let months = buffer.readCQLVInt(), let days = buffer.readCQLVInt(), let nanos = buffer.readCQLVInt(),
                  let months32 = Int32(exactly: months), let days32 = Int32(exactly: days) else {
                throw .invalidValue("malformed duration value")
            }
            return .duration(months: months32, days: days32, nanoseconds: nanos)
        case .list(let elementType):
            var values: [CQLValue] = []
            for _ in 0..<(try count()) { values.append(try element(elementType)) }
            return .list(values)
        case .set(let elementType):
            var values: [CQLValue] = []
            for _ in 0..<(try count()) { values.append(try element(elementType)) }
            return .set(values)
        case .map(let keyType, let valueType):
            var entries: [CQLMapEntry] = []
            for _ in 0..<(try count()) {
                let key = try element(keyType)
                entries.append(CQLMapEntry(key: key, value: try element(valueType)))
            }
            return .map(entries)
        case .tuple(let types):
            var values: [CQLValue] = []
            for elementType in types {
                values.append(buffer.readableBytes > 0 ? try element(elementType) : .null)
            }
            return .tuple(values)
        case .udt(_, _, let fields):
            var values: [CQLUDTFieldValue] = []
            for field in fields {
                values.append(CQLUDTFieldValue(name: field.name, value: buffer.readableBytes > 0 ? try element(field.type) : .null))
            }
            return .udt(values)
        }
    }
}
