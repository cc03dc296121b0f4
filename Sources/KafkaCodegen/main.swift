import Foundation

/// kafka-codegen <definitions-dir> <error-codes.csv> <output-dir>
/// Writes one Swift file per message listed below, plus ApiKey and KafkaErrorCode tables.

/// The APIs the Kafka client uses; each contributes its request and its response.
let apis = [
    "ApiVersions", "Metadata", "Produce", "Fetch", "ListOffsets", "FindCoordinator", "JoinGroup",
    "SyncGroup", "Heartbeat", "LeaveGroup", "OffsetCommit", "OffsetFetch", "CreateTopics", "DeleteTopics",
    "InitProducerId", "DescribeGroups", "ListGroups", "SaslHandshake", "SaslAuthenticate",
]

/// Versioned structures carried inside other messages' bytes fields.
let dataMessages = ["ConsumerProtocolSubscription", "ConsumerProtocolAssignment"]

func run() throws {
    let arguments = CommandLine.arguments
    guard arguments.count == 4 else {
        throw CodegenError("usage: kafka-codegen <definitions-dir> <error-codes.csv> <output-dir>")
    }
    let definitions = URL(fileURLWithPath: arguments[1], isDirectory: true)
    let errorCodes = URL(fileURLWithPath: arguments[2])
    let output = URL(fileURLWithPath: arguments[3], isDirectory: true)
    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)

    func load(_ name: String) throws -> MessageDefinition {
        let url = definitions.appendingPathComponent("\(name).json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CodegenError("\(url.path) not found — is \(definitions.path) Kafka's clients/src/main/resources/common/message directory?")
        }
        return try MessageDefinition(contentsOf: url)
    }

    var files: [String: String] = [:]
    var requests: [MessageDefinition] = []
    for api in apis {
        let request = try load("\(api)Request")
        let response = try load("\(api)Response")
        requests.append(request)
        files["\(request.name).swift"] = try MessageGenerator(message: request, counterpart: response.name).generateFile()
        files["\(response.name).swift"] = try MessageGenerator(message: response, counterpart: request.name).generateFile()
    }
    for name in dataMessages {
        let message = try load(name)
        files["\(message.name).swift"] = try MessageGenerator(message: message, counterpart: nil).generateFile()
    }
    files["ApiKey+Generated.swift"] = ApiKeyGenerator(requests: requests).generateFile()
    let csv = try String(contentsOf: errorCodes, encoding: .utf8)
    files["KafkaErrorCode+Generated.swift"] = try ErrorCodeGenerator(csv: csv, sourceName: errorCodes.lastPathComponent).generateFile()

    // The output directory belongs to the generator: drop files it no longer produces.
    for existing in try FileManager.default.contentsOfDirectory(atPath: output.path)
    where existing.hasSuffix(".swift") && files[existing] == nil {
        try FileManager.default.removeItem(at: output.appendingPathComponent(existing))
    }
    for (name, text) in files.sorted(by: { $0.key < $1.key }) {
        let url = output.appendingPathComponent(name)
        // Leave unchanged files untouched so incremental builds stay incremental.
        if let current = try? String(contentsOf: url, encoding: .utf8), current == text { continue }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    print("kafka-codegen: \(files.count) files in \(output.path)")
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("kafka-codegen: \(error)\n".utf8))
    exit(1)
}
