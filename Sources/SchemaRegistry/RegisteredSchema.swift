/// One version of a subject in the registry.
public struct RegisteredSchema: Sendable, Equatable {
    public var subject: String
    /// The registry-wide schema id (what serializers put in front of each record).
    public var id: Int
    /// The subject's version number, from 1.
    public var version: Int

    public init(subject: String, id: Int, version: Int) {
        self.subject = subject
        self.id = id
        self.version = version
    }
}

/// The outcome of `SchemaRegistryClient.ensureRegistered`.
public enum Registration: Sendable, Equatable {
    /// The same schema was already under the subject; nothing was written.
    case alreadyRegistered(RegisteredSchema)
    /// The schema was added as a new version.
    case registered(RegisteredSchema)

    public var schema: RegisteredSchema {
        switch self {
        case .alreadyRegistered(let schema), .registered(let schema): schema
        }
    }
}
