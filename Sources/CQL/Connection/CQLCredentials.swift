/// A user name and password for Cassandra's PasswordAuthenticator (SASL PLAIN).
public struct CQLCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The user name (safe to log).
    public var username: String
    /// The password; never logged or shown in errors.
    public var password: String

    /// Creates credentials.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// The SASL PLAIN initial response: NUL, user, NUL, password.
    var plainToken: [UInt8] {
        [0] + Array(username.utf8) + [0] + Array(password.utf8)
    }

    /// Shows the user only, so credentials can be printed safely.
    public var description: String { "\(username):****" }

    /// Same as `description`, so `debugPrint` and string interpolation of containing values stay safe.
    public var debugDescription: String { description }

    /// Hides the password from `dump` and reflection-based printing.
    public var customMirror: Mirror { Mirror(self, children: ["username": username, "password": "****"]) }
}
