import Redaction
import CQL
import Foundation

/// The `cassandra://[user:password@]host[:port][,host[:port]…][/keyspace]` form of a sink location.
/// User and password may be percent-encoded; the keyspace defaults to spark_streams.
enum CassandraURL {
    static func parse(_ url: String) throws(SinkConfigurationError) -> CassandraSinkConfiguration {
        let shown = URLRedaction.redacted(url)
        func invalid(_ problem: String) -> SinkConfigurationError { .invalidCassandraURL(shown, problem) }
        let scheme = "cassandra://"
        guard url.lowercased().hasPrefix(scheme) else { throw invalid("a Cassandra location starts with cassandra://") }
        var rest = Substring(url.dropFirst(scheme.count))
        var credentials: CQLCredentials?
        if let at = rest.lastIndex(of: "@") {
            let parts = rest[..<at].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let user = String(parts[0]).removingPercentEncoding, !user.isEmpty,
                  let password = String(parts[1]).removingPercentEncoding else {
                throw invalid("credentials are user:password@")
            }
            credentials = CQLCredentials(username: user, password: password)
            rest = rest[rest.index(after: at)...]
        }
        var keyspace = CassandraSinkConfiguration.defaultKeyspace
        if let slash = rest.firstIndex(of: "/") {
            let name = rest[rest.index(after: slash)...]
            if !name.isEmpty { keyspace = String(name) }
            rest = rest[..<slash]
        }
        guard isValidName(keyspace) else { throw .invalidKeyspace(keyspace) }
        let hosts = rest.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !rest.isEmpty else { throw invalid("no host is named") }
        for host in hosts { try checkContactPoint(host, invalid) }
        return CassandraSinkConfiguration(contactPoints: hosts, keyspace: keyspace, credentials: credentials)
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port` with a port in 1…65535; a bare IPv6 address has no port.
    private static func checkContactPoint(_ point: String, _ invalid: (String) -> SinkConfigurationError) throws(SinkConfigurationError) {
        var host = Substring(point), port: Substring?
        if point.hasPrefix("[") {
            guard let close = point.firstIndex(of: "]") else { throw invalid("'\(point)' opens [ without closing it") }
            host = point[point.index(after: point.startIndex)..<close]
            let after = point[point.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("'\(point)' has text after ]") }
                port = after.dropFirst()
            }
        } else if point.filter({ $0 == ":" }).count == 1, let colon = point.firstIndex(of: ":") {
            host = point[..<colon]
            port = point[point.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || "/?#@".contains($0) }) else {
            throw invalid("'\(point)' is not a host name or address")
        }
        if let port {
            guard let number = Int(port), (1...65535).contains(number) else { throw invalid("port '\(port)' is not a number from 1 to 65535") }
        }
    }

    /// Cassandra's rule for unquoted keyspace names: a letter, then letters, digits or underscores, 48 at most.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter, name.count <= 48 else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
