import UserContract

/// A sink read whole, page by page, to compare what it holds with what the topic holds.
public protocol StoredUserPages: UserSink {
    /// Calls `body` with every stored user, `size` at a time at most, in no particular order.
    func forEachPage(size: Int, _ body: ([User]) async throws -> Void) async throws
    /// How a user reads back once stored here.
    var storedForm: StoredForm { get }
}

/// How a user reads back from a sink: a Cassandra column of type `timestamp` or `date` returns
/// the ISO-8601 text it was given in its own form, a `uuid` column in lower case. Text columns
/// (all of SQLite's) return what they were given.
public struct StoredForm: Sendable {
    /// The conversion of each contract field, in `User.CodingKeys` order; nil keeps the text.
    let conversions: [(@Sendable (String) -> String?)?]

    /// Every field read back as written.
    public static let text = StoredForm(conversions: [])

    /// `user` as the sink would return it; a value the sink would refuse stays as it is.
    public func of(_ user: User) -> User {
        guard !conversions.isEmpty else { return user }
        var stored = user
        for (field, conversion) in zip(User.CodingKeys.allCases, conversions) {
            if let conversion, let converted = conversion(user[field]) { stored[field] = converted }
        }
        return stored
    }
}
