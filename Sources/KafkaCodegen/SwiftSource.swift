/// Accumulates Swift source lines with indentation.
struct SwiftSource {
    private(set) var lines: [String] = []
    private var depth = 0

    mutating func line(_ text: String = "") {
        lines.append(text.isEmpty ? "" : String(repeating: "    ", count: depth) + text)
    }

    /// Emits `header {`, the body one level deeper, then `}`.
    mutating func block(_ header: String, _ body: (inout SwiftSource) throws -> Void) rethrows {
        line(header + " {")
        depth += 1
        try body(&self)
        depth -= 1
        line("}")
    }

    /// Emits the body one level deeper.
    mutating func indented(_ body: (inout SwiftSource) throws -> Void) rethrows {
        depth += 1
        try body(&self)
        depth -= 1
    }

    mutating func docComment(_ text: String) {
        let collapsed = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
        if !collapsed.isEmpty { line("/// " + collapsed) }
    }

    var text: String { lines.joined(separator: "\n") + "\n" }
}

enum SwiftNames {
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
        "inout", "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public",
        "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue",
        "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return",
        "throw", "switch", "where", "while", "as", "await", "false", "is", "nil", "self", "super", "throws",
        "true", "try", "Any", "Self", "Type", "Protocol",
    ]

    /// "ThrottleTimeMs" → "throttleTimeMs"; a leading acronym is lowercased as a whole ("ISRNodes" → "isrNodes").
    static func lowerCamel(_ name: String) -> String {
        let characters = Array(name)
        var upperPrefix = 0
        while upperPrefix < characters.count, characters[upperPrefix].isUppercase { upperPrefix += 1 }
        if upperPrefix == 0 { return name }
        // In "ISRNodes" the last capital of the run starts the next word.
        let lowered = upperPrefix > 1 && upperPrefix < characters.count ? upperPrefix - 1 : upperPrefix
        return String(characters[..<lowered]).lowercased() + String(characters[lowered...])
    }

    /// "UNKNOWN_TOPIC_OR_PARTITION" → "unknownTopicOrPartition".
    static func fromScreamingSnake(_ name: String) -> String {
        let words = name.split(separator: "_").map { $0.lowercased() }
        guard let first = words.first else { return name }
        return first + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    static func escaped(_ identifier: String) -> String {
        keywords.contains(identifier) ? "`\(identifier)`" : identifier
    }

    static func stringLiteral(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
