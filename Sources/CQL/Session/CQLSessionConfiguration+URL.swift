import Redaction
import Foundation

extension CQLSessionConfiguration {
    /// Parses `cassandra://[user:password@]host[:port][,host[:port]…][/keyspace]`; user and password
    /// may be percent-encoded. Throws an error that shows the URL without its password.
    public init(url: String) throws(CQLError) {
        let scheme = "cassandra://"
        guard url.lowercased().hasPrefix(scheme) else {
            throw .invalidValue("\(URLRedaction.redacted(url)) is not a cassandra:// URL — use cassandra://[user:password@]host[:port][,host…]/keyspace")
        }
        var rest = Substring(url.dropFirst(scheme.count))
        var credentials: CQLCredentials?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let user = String(parts[0]).removingPercentEncoding,
                  let password = String(parts[1]).removingPercentEncoding, !user.isEmpty else {
                throw .invalidValue("\(URLRedaction.redacted(url)): credentials must be user:password@")
            }
            credentials = CQLCredentials(username: user, password: password)
        }
        var keyspace: String?
        if let slash = rest.firstIndex(of: "/") {
            let name = rest[rest.index(after: slash)...]
            keyspace = name.isEmpty ? nil : String(name)
            rest = rest[..<slash]
        }
        let hosts = rest.split(separator: ",").map(String.init)
        guard !hosts.isEmpty else { throw .invalidValue("\(URLRedaction.redacted(url)) names no host") }
        self.init(contactPoints: hosts, credentials: credentials, keyspace: keyspace)
    }
}
