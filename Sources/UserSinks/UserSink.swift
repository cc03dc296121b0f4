import UserContract

/// Where the stream processor stores users. Upserts by `id`, so redelivered users never add rows.
public protocol UserSink: Sendable {
    /// Inserts or replaces `users` by id; when it returns, they are durable. Throws
    /// `SinkRowsRefused` when it refused some users for themselves alone: the others are durable then.
    func upsert(_ users: [User]) async throws
    /// Number of stored users.
    func count() async throws -> Int
    /// Up to `limit` stored users (all when nil).
    func query(limit: Int?) async throws -> [User]
    /// Releases connections; the sink is unusable afterwards.
    func close() async throws
}

/// A sink failure that may be beyond retrying; when `isUnrecoverable`, the stream stops without
/// committing the batch.
public protocol UnrecoverableSinkError: Error {
    /// Whether writing again cannot succeed (true unless the error says otherwise).
    var isUnrecoverable: Bool { get }
}

extension UnrecoverableSinkError {
    public var isUnrecoverable: Bool { true }
}

/// Users the sink refused for themselves alone (a constraint, a value the database cannot take),
/// while it stored every other user of the same `upsert`. Those users go to the dead-letter topic;
/// refusals that concern every row are thrown as the sink's own errors instead.
public struct SinkRowsRefused: Error, Sendable, CustomStringConvertible {
    /// One refused user.
    public struct Refusal: Sendable {
        /// The user's position in the `upsert` call.
        public var index: Int
        /// The sink's error for that user alone.
        public var error: any Error

        public init(index: Int, error: any Error) {
            self.index = index
            self.error = error
        }

        /// The sink's message, for the dead letter.
        public var message: String { "\(error)" }
    }

    /// In the order of the users' positions.
    public var refusals: [Refusal]

    public init(_ refusals: [Refusal]) {
        self.refusals = refusals.sorted { $0.index < $1.index }
    }

    public var description: String {
        "the sink refused \(refusals.count) users and stored the others" + (refusals.first.map { "; first: \($0.message)" } ?? "")
    }
}
