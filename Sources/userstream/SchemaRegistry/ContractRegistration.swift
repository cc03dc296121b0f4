import SchemaRegistry
import UserContract

/// The users contract in a schema registry, as `setup` registers it and `status` reports it.
enum ContractRegistration {
    /// Registers the contract as the JSON Schema of `topic`'s values (subject TOPIC-value), unless
    /// the same schema is there already; says which.
    static func ensure(registry url: String, topic: String) async throws -> String {
        let subject = UsersCreatedContract.registrySubject(topic: topic)
        do {
            switch try await SchemaRegistryClient(baseURL: url).ensureRegistered(subject: subject, schema: UsersCreatedContract.schemaText) {
            case .alreadyRegistered(let schema):
                return "schema \(subject) version \(schema.version) exists (id \(schema.id))"
            case .registered(let schema):
                return "schema \(subject) version \(schema.version) registered (id \(schema.id))"
            }
        } catch {
            throw ContractRegistrationError(error, registry: url)
        }
    }

    /// The subject's latest version, for status: "subject users_created-value version 2 (id 7)".
    static func latest(registry url: String, topic: String) async throws -> RegisteredSchema? {
        let subject = UsersCreatedContract.registrySubject(topic: topic)
        do {
            return try await SchemaRegistryClient(baseURL: url).latest(subject: subject)
        } catch {
            throw ContractRegistrationError(error, registry: url)
        }
    }
}

/// A registry failure with what to do about it.
struct ContractRegistrationError: Error, CustomStringConvertible {
    let cause: SchemaRegistryError
    let registry: String

    init(_ cause: SchemaRegistryError, registry: String) {
        self.cause = cause
        self.registry = registry
    }

    var description: String {
        switch cause {
        case .unreachable:
            "\(cause) — is the schema registry running? set --schema-registry URL"
        case .incompatible(let subject, let version, _):
            "\(cause) — the users contract of this userstream differs from the one registered at \(registry); "
                + "producers and consumers of version \(version) would break. Migrate the subject deliberately "
                + "(a new topic, or the registry's compatibility setting for \(subject)), then rerun setup"
        case .invalidSchema:
            "\(cause) — the registry must accept JSON Schemas (schemaType JSON)"
        case .unexpectedResponse:
            "\(cause) — is \(registry) a Confluent-compatible schema registry?"
        }
    }
}

extension ContractRegistration {
    /// What `status` says about the contract in the registry: a line for people and `key=value`
    /// pairs for the summary. A registry that does not answer is reported, not fatal.
    static func status(registry url: String, topic: String) async -> (line: String, summary: String) {
        let subject = UsersCreatedContract.registrySubject(topic: topic)
        do {
            guard let latest = try await latest(registry: url, topic: topic) else {
                return ("schema registry: subject \(subject) has no version — run userstream setup --schema-registry \(url)",
                        "schema_subject=\(subject) schema_version=none")
            }
            return ("schema registry: subject \(subject) version \(latest.version) (id \(latest.id))",
                    "schema_subject=\(subject) schema_version=\(latest.version)")
        } catch {
            return ("schema registry: \(error)", "schema_subject=\(subject) schema_version=unknown")
        }
    }
}
