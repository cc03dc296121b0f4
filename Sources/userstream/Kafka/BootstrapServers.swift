import ArgumentParser
import Kafka

/// `--bootstrap-servers` checked before any connection: a typo must be a usage error naming
/// the entry, not a minute of "no Kafka broker answered".
enum BootstrapServers {
    static func parse(_ text: String) throws -> [BrokerAddress] {
        let entries = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        for entry in entries {
            if let problem = problem(entry) {
                throw ValidationError("--bootstrap-servers '\(text)': \(problem) — use host:port[,host:port…]")
            }
        }
        do {
            return try KafkaConfiguration.parseBootstrapServers(text)
        } catch {
            throw ValidationError("--bootstrap-servers: \(error)")
        }
    }

    /// What is wrong with one host:port entry, if anything.
    private static func problem(_ entry: String) -> String? {
        guard !entry.isEmpty else { return "an entry is empty" }
        guard !entry.contains("://") else { return "'\(entry)' has a scheme; give host:port only" }
        var host = Substring(entry)
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else { return "'\(entry)' opens [ without closing it" }
            host = entry[entry.index(after: entry.startIndex)..<close]
            guard host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }), !host.isEmpty else {
                return "'\(host)' is not an IPv6 address"
            }
            return nil
        }
        if let colon = entry.lastIndex(of: ":") { host = entry[..<colon] }
        guard !host.isEmpty else { return "'\(entry)' names no host" }
        guard host.utf8.count <= 253 else { return "the host name in '\(entry.prefix(40))…' is longer than 253 characters" }
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }) else {
            return "'\(host)' is not a host name or address (ASCII letters, digits, '.', '-')"
        }
        return nil
    }
}
