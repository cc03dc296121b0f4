import Foundation
import Kafka

/// Where the pipeline stands at one moment: what Kafka holds, how far the consumer group got,
/// what was dead-lettered and what the sink has. Encoded as `/status.json` and `status --json`.
public struct PipelineStatus: Sendable, Codable, Equatable {
    /// One partition of the users topic: its end, the group's committed offset and the lag.
    public typealias Partition = PartitionLag

    /// The sink, as far as it could be read.
    public struct Sink: Sendable, Codable, Equatable {
        /// The location (`sqlite:PATH`, `cassandra://…`), never with a password.
        public var location: String
        /// Stored users; nil when the sink could not be read.
        public var rows: Int?
        /// When users were last written, if known.
        public var lastWrite: Date?
        /// Why the sink could not be read.
        public var error: String?

        public init(location: String, rows: Int?, lastWrite: Date?, error: String? = nil) {
            self.location = location
            self.rows = rows
            self.lastWrite = lastWrite
            self.error = error
        }
    }

    /// When the status was taken.
    public let time: Date
    public let topic: String
    public let group: String
    public let partitions: [Partition]
    /// Sum of the end offsets: records ever written to the topic.
    public let endOffsetTotal: Int64
    /// Sum of the committed offsets (partitions without one count as 0).
    public let committedTotal: Int64
    /// Lag over all partitions.
    public let totalLag: Int64
    public let dlqTopic: String
    /// Records in the dead-letter topic (end minus earliest offsets, summed).
    public let dlqSize: Int64
    public let sink: Sink

    public init(time: Date, topic: String, group: String, partitions: [Partition], dlqTopic: String, dlqSize: Int64, sink: Sink) {
        self.time = time
        self.topic = topic
        self.group = group
        self.partitions = partitions.sorted { $0.partition < $1.partition }
        endOffsetTotal = partitions.reduce(0) { $0 + $1.endOffset }
        committedTotal = partitions.reduce(0) { $0 + ($1.committedOffset ?? 0) }
        totalLag = partitions.reduce(0) { $0 + $1.lag }
        self.dlqTopic = dlqTopic
        self.dlqSize = dlqSize
        self.sink = sink
    }

    /// The table `userstream status` prints.
    public var table: String {
        var lines = ["topic \(topic)  group \(group)", "partition  end_offset  committed  lag"]
        for p in partitions {
            lines.append(Self.row([String(p.partition), String(p.endOffset), p.committedOffset.map(String.init) ?? "-", String(p.lag)]))
        }
        lines.append(Self.row(["total", String(endOffsetTotal), String(committedTotal), String(totalLag)]))
        lines.append("dlq \(dlqTopic): \(dlqSize) records")
        let rows = sink.rows.map(String.init) ?? "unknown (\(sink.error ?? "not readable"))"
        let written = sink.lastWrite.map { Self.timestamp($0) } ?? "never"
        lines.append("sink \(sink.location): \(rows) rows, last write \(written)")
        return lines.joined(separator: "\n")
    }

    /// The one-line summary every command ends with.
    public var line: String {
        "partitions=\(partitions.count) end_offsets=\(endOffsetTotal) committed=\(committedTotal) lag=\(totalLag) "
            + "dlq=\(dlqSize) rows=\(sink.rows.map(String.init) ?? "unknown")"
    }

    private static func row(_ cells: [String]) -> String {
        let padded = zip(cells.dropLast(), [9, 10, 9]).map { $0.padding(toLength: max($1, $0.count), withPad: " ", startingAt: 0) }
        return (padded + cells.suffix(1)).joined(separator: "  ")
    }

    /// ISO-8601 in UTC with milliseconds: the page computes rates between samples taken
    /// under a second apart.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

extension PipelineStatus {
    /// JSON with ISO-8601 dates and snake_case keys, as served and printed.
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Decodes what `encoder` wrote.
    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            return try Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        }
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()
}
