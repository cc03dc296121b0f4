/// Turns one message definition into one Swift file: a struct for the message and one
/// nested struct per struct type it declares (or takes from commonStructs).
struct MessageGenerator {
    struct StructModel {
        var definitionName: String
        var swiftName: String
        var about: String
        var fields: [FieldDefinition]
    }

    let message: MessageDefinition
    /// The request this response answers, or the response this request gets.
    let counterpart: String?
    private(set) var structs: [StructModel] = []
    private var swiftNames: [String: String] = [:]

    /// Nested type names that would shadow names the generated code relies on.
    private static let reservedTypeNames: Set<String> = [
        "Response", "Type", "Protocol", "Self", "Any", "ByteBuffer", "UUID", "String", "Bool", "Double",
        "Int8", "Int16", "Int32", "Int64", "UInt16", "UInt32", "KafkaTaggedField", "ApiKey",
    ]

    init(message: MessageDefinition, counterpart: String?) throws {
        self.message = message
        self.counterpart = counterpart
        try collectStructs(in: message.fields, context: message.name)
        assignSwiftNames()
    }

    // MARK: - Structure discovery

    private mutating func collectStructs(in fields: [FieldDefinition], context: String) throws {
        for field in fields {
            guard let structName = field.structName else { continue }
            if structs.contains(where: { $0.definitionName == structName }) {
                if field.fields != nil {
                    throw CodegenError("\(context).\(field.name): struct \(structName) is declared twice")
                }
                continue
            }
            if let children = field.fields {
                structs.append(StructModel(definitionName: structName, swiftName: structName, about: field.about, fields: children))
                try collectStructs(in: children, context: "\(context).\(field.name)")
            } else if let common = message.commonStructs.first(where: { $0.name == structName }) {
                structs.append(StructModel(definitionName: structName, swiftName: structName, about: common.about, fields: common.fields))
                try collectStructs(in: common.fields, context: structName)
            } else {
                throw CodegenError("\(context).\(field.name): unknown type \(structName)")
            }
        }
    }

    /// "MetadataRequestTopic" in MetadataRequest becomes "Topic" unless that would clash.
    private mutating func assignSwiftNames() {
        var stripped: [String] = structs.map { model in
            let name = model.definitionName
            if name.hasPrefix(message.name), name.count > message.name.count {
                let rest = String(name.dropFirst(message.name.count))
                if rest.first?.isUppercase == true { return rest }
            }
            return name
        }
        for index in stripped.indices {
            let name = stripped[index]
            let clashes = stripped.enumerated().contains { $0.offset != index && $0.element == name }
            if clashes || Self.reservedTypeNames.contains(name) || name == message.name {
                stripped[index] = structs[index].definitionName
            }
        }
        for index in structs.indices {
            structs[index].swiftName = stripped[index]
            swiftNames[structs[index].definitionName] = stripped[index]
        }
    }

    // MARK: - Types and defaults

    func isOptional(_ field: FieldDefinition) -> Bool {
        field.type == .records || !field.nullableVersions.intersection(field.versions).isEmpty
    }

    func baseType(_ type: FieldType) -> String {
        switch type {
        case .bool: "Bool"
        case .int8: "Int8"
        case .int16: "Int16"
        case .uint16: "UInt16"
        case .int32: "Int32"
        case .uint32: "UInt32"
        case .int64: "Int64"
        case .float64: "Double"
        case .string: "String"
        case .uuid: "UUID"
        case .bytes, .records: "ByteBuffer"
        case .array(let element): "[\(baseType(element))]"
        case .structure(let name): swiftNames[name] ?? name
        }
    }

    func swiftType(_ field: FieldDefinition) -> String {
        baseType(field.type) + (isOptional(field) ? "?" : "")
    }

    func defaultExpression(_ field: FieldDefinition, context: String) throws -> String {
        if let text = field.defaultValue {
            if text == "null" {
                guard isOptional(field) else { throw CodegenError("\(context): default null on a non-nullable field") }
                return "nil"
            }
            switch field.type {
            case .int8, .int16, .uint16, .int32, .uint32, .int64:
                guard let value = Self.parseInteger(text) else { throw CodegenError("\(context): bad integer default \(text)") }
                return String(value)
            case .float64:
                guard let value = Double(text) else { throw CodegenError("\(context): bad float default \(text)") }
                return String(value)
            case .bool:
                guard text == "true" || text == "false" else { throw CodegenError("\(context): bad bool default \(text)") }
                return text
            case .string:
                return SwiftNames.stringLiteral(text)
            default:
                if text.isEmpty { break }
                throw CodegenError("\(context): custom default \(text) for type \(field.type) is not supported")
            }
        }
        switch field.type {
        case .int8, .int16, .uint16, .int32, .uint32, .int64, .float64: return "0"
        case .bool: return "false"
        case .string: return "\"\""
        case .uuid: return "UUID.zero"
        case .bytes: return "ByteBuffer()"
        case .records: return "nil"
        case .array: return "[]"
        case .structure: return "\(baseType(field.type))()"
        }
    }

    static func parseInteger(_ text: String) -> Int64? {
        var body = Substring(text)
        let negative = body.hasPrefix("-")
        if negative { body = body.dropFirst() }
        let magnitude: Int64?
        if body.hasPrefix("0x") || body.hasPrefix("0X") {
            magnitude = Int64(body.dropFirst(2), radix: 16)
        } else if body.count > 1, body.hasPrefix("0") {
            magnitude = Int64(body.dropFirst(), radix: 8)
        } else {
            magnitude = Int64(body)
        }
        return magnitude.map { negative ? -$0 : $0 }
    }

    static func propertyName(_ field: FieldDefinition) -> String {
        SwiftNames.escaped(SwiftNames.lowerCamel(field.name))
    }

    // MARK: - Version conditions

    var scope: VersionRange { message.validVersions }

    /// A Swift condition on `version` for `range`, given that `version` is inside `within`;
    /// nil when always true, "false" when never.
    static func condition(_ range: VersionRange, within: VersionRange) -> String? {
        let effective = range.intersection(within)
        if effective.isEmpty || within.isEmpty { return "false" }
        let coversLow = effective.lowest <= within.lowest
        let coversHigh = effective.highest >= within.highest
        switch (coversLow, coversHigh) {
        case (true, true): return nil
        case (true, false): return "version <= \(effective.highest)"
        case (false, true): return "version >= \(effective.lowest)"
        case (false, false):
            if effective.lowest == effective.highest { return "version == \(effective.lowest)" }
            return "version >= \(effective.lowest) && version <= \(effective.highest)"
        }
    }

    var flexibleCondition: String {
        Self.condition(message.flexibleVersions, within: scope) ?? "true"
    }

    var flexibleScope: VersionRange { message.flexibleVersions.intersection(scope) }

    /// The expression choosing compact encodings for a field.
    func compactExpression(_ field: FieldDefinition) -> String {
        if let own = field.flexibleVersions {
            return Self.condition(own, within: scope) ?? "true"
        }
        return "flexible"
    }

    // MARK: - Wire statements

    /// A statement writing `value` (non-optional unless `nullable`) of `type` into `target`.
    func writeStatement(_ type: FieldType, value: String, nullable: Bool, target: String, compact: String) throws -> String {
        switch type {
        case .int8, .int16, .uint16, .int32, .uint32, .int64:
            return "\(target).writeInteger(\(value))"
        case .float64: return "\(target).writeKafkaFloat64(\(value))"
        case .bool: return "\(target).writeKafkaBool(\(value))"
        case .uuid:
            if nullable { throw CodegenError("nullable uuid fields are not supported") }
            return "\(target).writeKafkaUUID(\(value))"
        case .string:
            return "try \(target).writeKafka\(nullable ? "Nullable" : "")String(\(value), compact: \(compact))"
        case .bytes, .records:
            return "try \(target).writeKafka\(nullable ? "Nullable" : "")Bytes(\(value), compact: \(compact))"
        case .structure:
            if nullable { return "try \(target).writeKafkaNullableStruct(\(value), version: version)" }
            return "try \(value).encode(into: &\(target), version: version)"
        case .array(.structure):
            return "try \(target).writeKafka\(nullable ? "Nullable" : "")Array(\(value), compact: \(compact), version: version)"
        case .array(let element):
            let elementWrite = try writeStatement(element, value: "element", nullable: false, target: "buffer", compact: compact)
            return "try \(target).writeKafka\(nullable ? "Nullable" : "")Array(\(value), compact: \(compact)) { "
                + "(buffer: inout ByteBuffer, element: \(baseType(element))) throws(KafkaEncodingError) in \(elementWrite) }"
        }
    }

    /// An expression reading a value of `type` from `source`.
    func readExpression(_ type: FieldType, nullable: Bool, source: String, compact: String) throws -> String {
        switch type {
        case .int8, .int16, .uint16, .int32, .uint32, .int64:
            return "try \(source).readKafkaInteger(as: \(baseType(type)).self)"
        case .float64: return "try \(source).readKafkaFloat64()"
        case .bool: return "try \(source).readKafkaBool()"
        case .uuid:
            if nullable { throw CodegenError("nullable uuid fields are not supported") }
            return "try \(source).readKafkaUUID()"
        case .string:
            return "try \(source).readKafka\(nullable ? "Nullable" : "")String(compact: \(compact))"
        case .bytes, .records:
            return "try \(source).readKafka\(nullable ? "Nullable" : "")Bytes(compact: \(compact))"
        case .structure:
            if nullable { return "try \(source).readKafkaNullableStruct(\(baseType(type)).self, version: version)" }
            return "try \(baseType(type))(from: &\(source), version: version)"
        case .array(.structure(let name)):
            return "try \(source).readKafka\(nullable ? "Nullable" : "")Array(of: \(swiftNames[name] ?? name).self, compact: \(compact), version: version)"
        case .array(let element):
            let elementRead = try readExpression(element, nullable: false, source: "buffer", compact: compact)
            return "try \(source).readKafka\(nullable ? "Nullable" : "")Array(compact: \(compact)) { "
                + "(buffer: inout ByteBuffer) throws(KafkaDecodingError) -> \(baseType(element)) in \(elementRead) }"
        }
    }

    /// Statements writing a field that is present in the version being written.
    func emitFieldWrite(_ field: FieldDefinition, owner: String, target: String, compact: String, into source: inout SwiftSource) throws {
        let value = "self.\(Self.propertyName(field))"
        guard isOptional(field) else {
            source.line(try writeStatement(field.type, value: value, nullable: false, target: target, compact: compact))
            return
        }
        let nullable = Self.condition(field.nullableVersions, within: field.versions.intersection(scope))
        let unwrapThenWrite: (inout SwiftSource) throws -> Void = { source in
            source.line("guard let value = \(value) else {")
            source.line("    throw KafkaEncodingError.nullNotAllowed(field: \(SwiftNames.stringLiteral("\(owner).\(SwiftNames.lowerCamel(field.name))")), version: version)")
            source.line("}")
            source.line(try self.writeStatement(field.type, value: "value", nullable: false, target: target, compact: compact))
        }
        switch nullable {
        case nil:
            source.line(try writeStatement(field.type, value: value, nullable: true, target: target, compact: compact))
        case "false":
            try unwrapThenWrite(&source)
        case let condition?:
            source.line("if \(condition) {")
            try source.indented { $0.line(try writeStatement(field.type, value: value, nullable: true, target: target, compact: compact)) }
            source.line("} else {")
            try source.indented { try unwrapThenWrite(&$0) }
            source.line("}")
        }
    }

    /// Statements reading a field that is present in the version being read.
    func emitFieldRead(_ field: FieldDefinition, source input: String, compact: String, into source: inout SwiftSource) throws {
        let target = "self.\(Self.propertyName(field))"
        guard isOptional(field) else {
            source.line("\(target) = " + (try readExpression(field.type, nullable: false, source: input, compact: compact)))
            return
        }
        switch Self.condition(field.nullableVersions, within: field.versions.intersection(scope)) {
        case nil:
            source.line("\(target) = " + (try readExpression(field.type, nullable: true, source: input, compact: compact)))
        case "false":
            source.line("\(target) = " + (try readExpression(field.type, nullable: false, source: input, compact: compact)))
        case let condition?:
            source.line("if \(condition) {")
            source.line("    \(target) = " + (try readExpression(field.type, nullable: true, source: input, compact: compact)))
            source.line("} else {")
            source.line("    \(target) = " + (try readExpression(field.type, nullable: false, source: input, compact: compact)))
            source.line("}")
        }
    }
}
