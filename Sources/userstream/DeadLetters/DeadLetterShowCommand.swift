import ArgumentParser
import Kafka
import NIOCore
import UserPipeline

/// `userstream dlq show`: the dead letters themselves, with every `dlq.*` header.
struct DeadLetterShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print dead letters: key, value and every dlq.* header (--json: one JSON line each, as kafka consume prints)."
    )

    @OptionGroup var options: DeadLetterOptions
    @OptionGroup var reason: ReasonOption

    @Option(help: "Print at most this many; default all.")
    var limit: Int?

    @Flag(help: "Print JSON lines (the summary line goes to standard error).")
    var json = false

    /// Longest value printed in the text form; --json prints it whole.
    private static let valueExcerpt = 1000

    func validate() throws {
        _ = try NumberSetting.count("--limit", to: Int(Int32.max)).resolve(limit)
    }

    func run() async throws {
        let selection = DeadLetterSelection(reason: reason.reason)
        let (limit, json) = (limit ?? .max, json)
        var output = StandardOutput()
        let (topic, total, shown) = try await options.withLog { log, _ in
            let extent = try await log.extent()
            var shown = 0
            try await log.read(from: extent.starts, to: extent.ends) { entries in
                for entry in entries where selection.selects(entry) && shown < limit {
                    shown += 1
                    if json { try output.append(entry.record) } else { print(Self.text(entry)) }
                }
                return shown < limit
            }
            try output.flush()
            return (log.topic, extent.count, shown)
        }
        if total == 0, !json { print("dead-letter topic \(topic) is empty") }
        let line = "userstream: dlq show topic=\(topic) shown=\(shown) total=\(total)"
        if json { printError(line) } else { print(line) }
    }

    private static func text(_ entry: DeadLetterEntry) -> String {
        let record = entry.record
        var lines = ["\(record.topic)/\(record.partition)@\(record.offset) \(PointInTime.text(record.timestamp))",
                     "  key: " + bytes(record.key), "  value: " + bytes(record.value)]
        lines += entry.deadLetterHeaders.map { "  \($0.key): \($0.value ?? "null")" }
        return lines.joined(separator: "\n")
    }

    /// Text as it is (cut when long), or what the bytes are when they are no text.
    private static func bytes(_ buffer: ByteBuffer?) -> String {
        guard let buffer else { return "null" }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else { return "(\(buffer.readableBytes) bytes, not UTF-8)" }
        guard text.count > valueExcerpt else { return text }
        return String(text.prefix(valueExcerpt)) + "… (\(buffer.readableBytes) bytes)"
    }
}
