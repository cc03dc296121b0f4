import NIOCore

/// Kafka arrays: an int32 count (-1 for null) or a compact count + 1 (0 for null),
/// followed by the elements.
extension ByteBuffer {
    /// Writes an array count; nil writes the null array marker.
    @inlinable
    public mutating func writeKafkaArrayLength(_ count: Int?, compact: Bool) throws(KafkaEncodingError) {
        if compact {
            try writeKafkaCompactLength(count)
        } else {
            try writeKafkaInt32Length(count)
        }
    }

    /// Reads an array count; nil means a null array. A count larger than the bytes left is
    /// rejected before anything is allocated.
    @inlinable
    public mutating func readKafkaArrayLength(compact: Bool) throws(KafkaDecodingError) -> Int? {
        try readKafkaLength(classicInt16: false, compact: compact, bytesPerItem: 1, what: "array")
    }

    /// Writes an array, each element with `writeElement`.
    @inlinable
    public mutating func writeKafkaArray<Element>(
        _ array: [Element], compact: Bool,
        _ writeElement: (inout ByteBuffer, Element) throws(KafkaEncodingError) -> Void
    ) throws(KafkaEncodingError) {
        try writeKafkaArrayLength(array.count, compact: compact)
        for element in array {
            try writeElement(&self, element)
        }
    }

    /// Writes an array that may be null.
    @inlinable
    public mutating func writeKafkaNullableArray<Element>(
        _ array: [Element]?, compact: Bool,
        _ writeElement: (inout ByteBuffer, Element) throws(KafkaEncodingError) -> Void
    ) throws(KafkaEncodingError) {
        guard let array else {
            try writeKafkaArrayLength(nil, compact: compact)
            return
        }
        try writeKafkaArray(array, compact: compact, writeElement)
    }

    /// Reads an array that may be null, each element with `readElement`.
    @inlinable
    public mutating func readKafkaNullableArray<Element>(
        compact: Bool, _ readElement: (inout ByteBuffer) throws(KafkaDecodingError) -> Element
    ) throws(KafkaDecodingError) -> [Element]? {
        guard let count = try readKafkaArrayLength(compact: compact) else { return nil }
        var result: [Element] = []
        // The count is bounded by the bytes left, not by memory; reserve conservatively.
        result.reserveCapacity(Swift.min(count, 1024))
        for _ in 0..<count {
            result.append(try readElement(&self))
        }
        return result
    }

    /// Reads an array that must not be null.
    @inlinable
    public mutating func readKafkaArray<Element>(
        compact: Bool, _ readElement: (inout ByteBuffer) throws(KafkaDecodingError) -> Element
    ) throws(KafkaDecodingError) -> [Element] {
        guard let array = try readKafkaNullableArray(compact: compact, readElement) else {
            throw .malformed("null where a non-nullable array is required")
        }
        return array
    }

    /// Writes an array of structures.
    @inlinable
    public mutating func writeKafkaArray<Element: KafkaCodable>(
        _ array: [Element], compact: Bool, version: Int16
    ) throws(KafkaEncodingError) {
        try writeKafkaArray(array, compact: compact) { (buffer: inout ByteBuffer, element: Element) throws(KafkaEncodingError) in
            try element.encode(into: &buffer, version: version)
        }
    }

    /// Writes an array of structures that may be null.
    @inlinable
    public mutating func writeKafkaNullableArray<Element: KafkaCodable>(
        _ array: [Element]?, compact: Bool, version: Int16
    ) throws(KafkaEncodingError) {
        guard let array else {
            try writeKafkaArrayLength(nil, compact: compact)
            return
        }
        try writeKafkaArray(array, compact: compact, version: version)
    }

    /// Reads an array of structures that may be null.
    @inlinable
    public mutating func readKafkaNullableArray<Element: KafkaCodable>(
        of: Element.Type, compact: Bool, version: Int16
    ) throws(KafkaDecodingError) -> [Element]? {
        try readKafkaNullableArray(compact: compact) { (buffer: inout ByteBuffer) throws(KafkaDecodingError) -> Element in
            try Element(from: &buffer, version: version)
        }
    }

    /// Reads an array of structures that must not be null.
    @inlinable
    public mutating func readKafkaArray<Element: KafkaCodable>(
        of: Element.Type, compact: Bool, version: Int16
    ) throws(KafkaDecodingError) -> [Element] {
        try readKafkaArray(compact: compact) { (buffer: inout ByteBuffer) throws(KafkaDecodingError) -> Element in
            try Element(from: &buffer, version: version)
        }
    }

    /// Writes a structure that may be null: an int8 marker (-1 null, 1 present), then the structure.
    @inlinable
    public mutating func writeKafkaNullableStruct<Value: KafkaCodable>(
        _ value: Value?, version: Int16
    ) throws(KafkaEncodingError) {
        guard let value else {
            writeInteger(Int8(-1))
            return
        }
        writeInteger(Int8(1))
        try value.encode(into: &self, version: version)
    }

    /// Reads a structure that may be null.
    @inlinable
    public mutating func readKafkaNullableStruct<Value: KafkaCodable>(
        _: Value.Type, version: Int16
    ) throws(KafkaDecodingError) -> Value? {
        let marker = try readKafkaInteger(as: Int8.self)
        if marker < 0 { return nil }
        return try Value(from: &self, version: version)
    }
}
