import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A client of the REST API of a Confluent-compatible schema registry, for JSON Schemas: look a
/// schema up under a subject, check compatibility with the latest version, register, read the latest.
public struct SchemaRegistryClient: Sendable {
    /// Base URL, e.g. `http://schema-registry:8081` (no trailing slash needed).
    public let baseURL: String
    public var timeout: Duration
    private let httpClient: HTTPClient

    public init(baseURL: String, timeout: Duration = .seconds(10), httpClient: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeout = timeout
        self.httpClient = httpClient
    }

    /// Registers `schema` (JSON Schema text) under `subject` unless the same schema is there:
    /// idempotent, and an incompatible change is refused before anything is written.
    public func ensureRegistered(subject: String, schema: String) async throws(SchemaRegistryError) -> Registration {
        if let existing = try await lookUp(subject: subject, schema: schema) { return .alreadyRegistered(existing) }
        if let latest = try await latest(subject: subject) {
            let verdict = try await compatibility(subject: subject, schema: schema)
            guard verdict.isCompatible else {
                throw .incompatible(subject: subject, latestVersion: latest.version, messages: verdict.messages)
            }
        }
        _ = try await register(subject: subject, schema: schema)
        // Registering answers only the id; the lookup names the version too.
        guard let registered = try await lookUp(subject: subject, schema: schema) else {
            throw .unexpectedResponse(request: "POST /subjects/\(subject)", status: 404, errorCode: nil,
                                      message: "the schema just registered is not found under the subject")
        }
        return .registered(registered)
    }

    /// The version of `subject` holding exactly `schema`, or `nil` (subject or schema not found).
    public func lookUp(subject: String, schema: String) async throws(SchemaRegistryError) -> RegisteredSchema? {
        let answer = try await send(.POST, "/subjects/\(escaped(subject))", body: Self.schemaBody(schema))
        if answer.status == 404, [40401, 40403].contains(answer.errorCode) { return nil }
        return try answer.registeredSchema(subject: subject)
    }

    /// The latest version of `subject`, or `nil` when the subject has none.
    public func latest(subject: String) async throws(SchemaRegistryError) -> RegisteredSchema? {
        let answer = try await send(.GET, "/subjects/\(escaped(subject))/versions/latest", body: nil)
        if answer.status == 404, [40401, 40402].contains(answer.errorCode) { return nil }
        return try answer.registeredSchema(subject: subject)
    }

    /// Whether `schema` may follow the latest version of `subject` under the subject's rule.
    public func compatibility(subject: String, schema: String) async throws(SchemaRegistryError) -> (isCompatible: Bool, messages: [String]) {
        let answer = try await send(.POST, "/compatibility/subjects/\(escaped(subject))/versions/latest?verbose=true",
                                    body: Self.schemaBody(schema))
        if answer.status == 422 { throw .invalidSchema(subject: subject, message: answer.message) }
        guard answer.status == 200, let isCompatible = answer.object["is_compatible"] as? Bool else { throw answer.unexpected }
        return (isCompatible, answer.object["messages"] as? [String] ?? [])
    }

    /// Adds `schema` under `subject` (or finds it there) and returns its registry-wide id.
    public func register(subject: String, schema: String) async throws(SchemaRegistryError) -> Int {
        let answer = try await send(.POST, "/subjects/\(escaped(subject))/versions", body: Self.schemaBody(schema))
        switch answer.status {
        case 200:
            guard let id = answer.object["id"] as? Int else { throw answer.unexpected }
            return id
        case 409:
            let latestVersion = try await latest(subject: subject)?.version ?? 0
            throw .incompatible(subject: subject, latestVersion: latestVersion, messages: [answer.message])
        case 422:
            throw .invalidSchema(subject: subject, message: answer.message)
        default:
            throw answer.unexpected
        }
    }

    // MARK: - HTTP

    static func schemaBody(_ schema: String) -> Data {
        // JSONSerialization escapes the schema text into the request's string field.
        (try? JSONSerialization.data(withJSONObject: ["schemaType": "JSON", "schema": schema], options: [.sortedKeys])) ?? Data()
    }

    private func escaped(_ subject: String) -> String {
        subject.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? subject
    }

    private func send(_ method: HTTPMethod, _ path: String, body: Data?) async throws(SchemaRegistryError) -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/vnd.schemaregistry.v1+json, application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/vnd.schemaregistry.v1+json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let requestName = "\(method.rawValue) \(path.split(separator: "?")[0])"
        do {
            let response = try await httpClient.execute(request, timeout: TimeAmount(max(.seconds(1), timeout)))
            let bytes = try await response.body.collect(upTo: 4 << 20)
            return Answer(request: requestName, status: Int(response.status.code), body: Data(bytes.readableBytesView))
        } catch {
            throw .unreachable(url: baseURL, detail: "\(requestName): \(error)")
        }
    }
}

/// One registry answer: status and the decoded JSON object (empty when the body is not one).
private struct Answer {
    let request: String
    let status: Int
    let object: [String: Any]

    init(request: String, status: Int, body: Data) {
        self.request = request
        self.status = status
        self.object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    }

    /// Confluent's error body: `{"error_code": 40401, "message": "Subject not found."}`.
    var errorCode: Int? { object["error_code"] as? Int }
    var message: String { object["message"] as? String ?? "(no message)" }
    var unexpected: SchemaRegistryError {
        .unexpectedResponse(request: request, status: status, errorCode: errorCode, message: message)
    }

    func registeredSchema(subject: String) throws(SchemaRegistryError) -> RegisteredSchema {
        guard status == 200, let id = object["id"] as? Int, let version = object["version"] as? Int else { throw unexpected }
        return RegisteredSchema(subject: object["subject"] as? String ?? subject, id: id, version: version)
    }
}
