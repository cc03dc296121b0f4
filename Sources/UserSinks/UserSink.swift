import UserContract

/// Where the stream processor stores users. Upserts by `id`, so redelivered users never add rows.
public protocol UserSink: Sendable {
    /// Inserts or replaces `users` by id; when it returns, they are durable.
    func upsert(_ users: [User]) async throws
    /// Number of stored users.
    func count() async throws -> Int
    /// Up to `limit` stored users (all when nil).
    func query(limit: Int?) async throws -> [User]
    /// Releases connections; the sink is unusable afterwards.
    func close() async throws
}

/// A sink failure that retrying cannot cure; the stream stops without committing the batch.
public protocol UnrecoverableSinkError: Error {}
