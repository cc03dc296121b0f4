import Foundation
import UserContract

/// The folder Tansu's file schema registry reads: `TOPIC.json` holding the users contract, so the
/// embedded broker refuses a record of that topic that breaks it (error INVALID_RECORD, 87).
struct BrokerSchemaRegistry {
    /// Absolute path of the folder.
    let directory: String

    /// Writes the contract for `topic` into `directory` (created when missing; made absolute).
    static func write(topic: String, into directory: String) throws -> BrokerSchemaRegistry {
        let absolute = directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
        do {
            try FileManager.default.createDirectory(atPath: absolute, withIntermediateDirectories: true)
            try Data(UsersCreatedContract.brokerRecordSchema.utf8).write(to: URL(fileURLWithPath: "\(absolute)/\(topic).json"))
        } catch {
            throw CommandFailure("cannot write the broker's schema registry \(absolute): \(error)")
        }
        return BrokerSchemaRegistry(directory: absolute)
    }

    /// The broker's `--schema-registry` value: absolute, as the embedded broker runs in `/`.
    var url: String { "file://\(directory)" }
}
