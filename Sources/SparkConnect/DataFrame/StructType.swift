/// A Spark SQL data type, as far as this client names them.
public indirect enum DataType: Sendable, Equatable, CustomStringConvertible {
    case string, integer, long, double, boolean, null
    case `struct`(StructType)
    /// Any other type, by its Spark JSON name (e.g. `timestamp`).
    case other(String)

    public var description: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .long: "long"
        case .double: "double"
        case .boolean: "boolean"
        case .null: "null"
        case .struct(let type): type.json
        case .other(let name): name
        }
    }

    /// The type in Spark's JSON schema form (`"string"`, or an object for structs).
    var json: String {
        if case .struct(let type) = self { return type.json }
        return jsonString(description)
    }
}

/// One field of a `StructType`.
public struct StructField: Sendable, Equatable {
    /// Field name.
    public var name: String
    /// Field type.
    public var dataType: DataType
    /// Whether the field may be null.
    public var nullable: Bool

    /// A field named `name` of type `dataType`.
    public init(_ name: String, _ dataType: DataType, nullable: Bool = true) {
        self.name = name
        self.dataType = dataType
        self.nullable = nullable
    }
}

/// A row schema: named, typed fields.
public struct StructType: Sendable, Equatable {
    /// The fields, in order.
    public var fields: [StructField]

    /// A schema of `fields`.
    public init(_ fields: [StructField]) {
        self.fields = fields
    }

    /// Field names, in order.
    public var fieldNames: [String] { fields.map(\.name) }

    /// Spark's JSON form of the schema, byte for byte as Spark writes it (keys sorted, no spaces).
    public var json: String {
        let fields = fields.map { field in
            #"{"metadata":{},"name":\#(jsonString(field.name)),"nullable":\#(field.nullable),"type":\#(field.dataType.json)}"#
        }
        return #"{"fields":[\#(fields.joined(separator: ","))],"type":"struct"}"#
    }
}

/// `value` as a JSON string literal.
func jsonString(_ value: String) -> String {
    var out = "\""
    for scalar in value.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

extension StructType {
    /// The schema of a server-side `DataType` (fields of types this client does not name become `.other`).
    init(_ type: Spark_Connect_DataType) {
        self.init(type.struct.fields.map { field in
            StructField(field.name, DataType(field.dataType), nullable: field.nullable)
        })
    }
}

extension DataType {
    init(_ type: Spark_Connect_DataType) {
        switch type.kind {
        case .string: self = .string
        case .integer: self = .integer
        case .long: self = .long
        case .double: self = .double
        case .boolean: self = .boolean
        case .null: self = .null
        case .struct: self = .struct(StructType(type))
        case .some(let kind): self = .other("\(kind)".split(separator: "(").first.map(String.init) ?? "unknown")
        case nil: self = .other("unknown")
        }
    }
}
