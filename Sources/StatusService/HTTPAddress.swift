/// Where the status server listens: `HOST:PORT`, `[IPv6]:PORT`, or just `PORT` / `:PORT` for
/// loopback. Port 0 picks a free one.
public struct HTTPAddress: Sendable, Equatable, CustomStringConvertible {
    /// Why an address could not be read.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let text: String
        public var description: String {
            "'\(text)' is not an address to listen on — use HOST:PORT (e.g. 127.0.0.1:9300, 0.0.0.0:9300) or PORT"
        }
    }

    public var host: String
    public var port: Int

    /// An address; `host` defaults to loopback so nothing is exposed unless asked for.
    public init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`, `[IPv6]:PORT`, `:PORT` or `PORT`.
    public init(parsing text: String) throws {
        let host: Substring
        let port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw ParseError(text: text) }
            port = rest.dropFirst()
        } else if let colon = text.lastIndex(of: ":") {
            guard text.firstIndex(of: ":") == colon else { throw ParseError(text: text) }  // bare IPv6 needs brackets
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        } else {
            host = ""
            port = Substring(text)
        }
        guard let number = Int(port), (0...65535).contains(number) else { throw ParseError(text: text) }
        self.init(host: host.isEmpty ? "127.0.0.1" : String(host), port: number)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
