import Foundation

/// Hides the password of every `scheme://user:password@host` (or `cassandra:user:password@host`,
/// mistyped) in a text meant for people (errors, log lines, summaries): API URLs and Cassandra
/// URLs carry credentials, percent-encoded or not.
public enum URLRedaction {
    /// The user is kept, so a message still says who tried; the password, up to the last @ of the
    /// authority (a password may hold an unencoded @), becomes ****.
    private static let credentials = try! NSRegularExpression(
        pattern: #"([A-Za-z][A-Za-z0-9+.\-]*:(?://)?)([^\s/?#@:'"]*):[^\s/?#'"]*@"#)

    public static func redacted(_ text: String) -> String {
        guard text.contains("@") else { return text }
        let range = NSRange(text.startIndex..., in: text)
        return credentials.stringByReplacingMatches(in: text, range: range, withTemplate: "$1$2:****@")
    }
}
