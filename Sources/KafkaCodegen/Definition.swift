import Foundation

/// A range of message versions as the definitions spell it: "0+", "3-5", "7" or "none".
struct VersionRange: Equatable {
    var lowest: Int
    var highest: Int  // Int(Int16.max) for open-ended ranges

    static let none = VersionRange(lowest: 1, highest: 0)
    static let openEnd = Int(Int16.max)

    var isEmpty: Bool { lowest > highest }

    init(lowest: Int, highest: Int) {
        self.lowest = lowest
        self.highest = highest
    }

    init(parsing text: String?, context: String) throws {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text != "none" else {
            self = .none
            return
        }
        if text.hasSuffix("+"), let low = Int(text.dropLast()) {
            self.init(lowest: low, highest: Self.openEnd)
        } else if let dash = text.firstIndex(of: "-"),
                  let low = Int(text[..<dash]), let high = Int(text[text.index(after: dash)...]) {
            self.init(lowest: low, highest: high)
        } else if let single = Int(text) {
            self.init(lowest: single, highest: single)
        } else {
            throw CodegenError("\(context): cannot parse version range \"\(text)\"")
        }
    }

    func intersection(_ other: VersionRange) -> VersionRange {
        VersionRange(lowest: max(lowest, other.lowest), highest: min(highest, other.highest))
    }

    func contains(_ other: VersionRange) -> Bool {
        other.isEmpty || (lowest <= other.lowest && highest >= other.highest)
    }
}

/// A field type from a definition.
indirect enum FieldType: Equatable {
    case bool, int8, int16, uint16, int32, uint32, int64, float64, string, uuid, bytes, records
    case array(FieldType)
    case structure(String)

    init(parsing text: String) {
        if text.hasPrefix("[]") {
            self = .array(FieldType(parsing: String(text.dropFirst(2))))
            return
        }
        switch text {
        case "bool": self = .bool
        case "int8": self = .int8
        case "int16": self = .int16
        case "uint16": self = .uint16
        case "int32": self = .int32
        case "uint32": self = .uint32
        case "int64": self = .int64
        case "float64": self = .float64
        case "string": self = .string
        case "uuid": self = .uuid
        case "bytes": self = .bytes
        case "records": self = .records
        default: self = .structure(text)
        }
    }

    /// Whether a value of this type can be null on the wire at all.
    var canBeNullable: Bool {
        switch self {
        case .string, .bytes, .records, .array, .structure, .uuid: true
        default: false
        }
    }
}

/// One field of a message or struct.
struct FieldDefinition {
    var name: String
    var type: FieldType
    var versions: VersionRange
    var nullableVersions: VersionRange
    var taggedVersions: VersionRange
    var tag: Int?
    var ignorable: Bool
    var defaultValue: String?
    var about: String
    var flexibleVersions: VersionRange?
    var fields: [FieldDefinition]?

    init(json: [String: Any], context: String) throws {
        guard let name = json["name"] as? String, let type = json["type"] as? String else {
            throw CodegenError("\(context): field without name or type")
        }
        let here = "\(context).\(name)"
        self.name = name
        self.type = FieldType(parsing: type)
        versions = try VersionRange(parsing: json["versions"] as? String, context: here)
        nullableVersions = try VersionRange(parsing: json["nullableVersions"] as? String, context: here)
        taggedVersions = try VersionRange(parsing: json["taggedVersions"] as? String, context: here)
        tag = json["tag"] as? Int
        ignorable = json["ignorable"] as? Bool ?? false
        if let value = json["default"] {
            defaultValue = (value as? String) ?? "\(value)"
        }
        about = json["about"] as? String ?? ""
        if let flexible = json["flexibleVersions"] as? String {
            flexibleVersions = try VersionRange(parsing: flexible, context: here)
        }
        if let children = json["fields"] as? [[String: Any]] {
            fields = try children.map { try FieldDefinition(json: $0, context: here) }
        }
        if tag != nil, taggedVersions != versions {
            throw CodegenError("\(here): tagged fields whose taggedVersions differ from versions are not supported")
        }
        if tag == nil, !taggedVersions.isEmpty {
            throw CodegenError("\(here): taggedVersions without a tag")
        }
    }

    /// The struct name when the field is a struct or an array of structs.
    var structName: String? {
        switch type {
        case .structure(let name): name
        case .array(.structure(let name)): name
        default: nil
        }
    }
}

/// A whole message definition file.
struct MessageDefinition {
    enum Kind: String { case request, response, data, header }

    var name: String
    var kind: Kind
    var apiKey: Int?
    var validVersions: VersionRange
    var flexibleVersions: VersionRange
    var latestVersionUnstable: Bool
    var fields: [FieldDefinition]
    var commonStructs: [(name: String, about: String, fields: [FieldDefinition])]
    var fileName: String

    init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        let json = try JSONSerialization.jsonObject(with: Data(Self.strippingComments(text).utf8))
        guard let root = json as? [String: Any], let name = root["name"] as? String,
              let kindText = root["type"] as? String, let kind = Kind(rawValue: kindText) else {
            throw CodegenError("\(url.lastPathComponent): not a message definition")
        }
        self.name = name
        self.kind = kind
        fileName = url.lastPathComponent
        apiKey = root["apiKey"] as? Int
        validVersions = try VersionRange(parsing: root["validVersions"] as? String, context: name)
        flexibleVersions = try VersionRange(parsing: root["flexibleVersions"] as? String, context: name)
        latestVersionUnstable = root["latestVersionUnstable"] as? Bool ?? false
        fields = try (root["fields"] as? [[String: Any]] ?? []).map { try FieldDefinition(json: $0, context: name) }
        commonStructs = try (root["commonStructs"] as? [[String: Any]] ?? []).map { json in
            guard let structName = json["name"] as? String else { throw CodegenError("\(name): common struct without name") }
            let fields = try (json["fields"] as? [[String: Any]] ?? []).map {
                try FieldDefinition(json: $0, context: "\(name).\(structName)")
            }
            return (structName, json["about"] as? String ?? "", fields)
        }
        if validVersions.isEmpty { throw CodegenError("\(name): no validVersions") }
    }

    /// Removes // comments outside string literals, leaving plain JSON.
    static func strippingComments(_ text: String) -> String {
        var output: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        var inString = false
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                output.append(byte)
                if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                    output.append(bytes[index + 1])
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
                output.append(byte)
            } else if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "/") {
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            } else {
                output.append(byte)
            }
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// A generator failure, reported with the definition it came from.
struct CodegenError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
