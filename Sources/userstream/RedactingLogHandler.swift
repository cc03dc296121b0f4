import Redaction
import Logging

/// Log lines on standard error as swift-log writes them, with every URL's password hidden: the
/// libraries log errors that may quote an API or Cassandra URL.
struct RedactingLogHandler: LogHandler {
    private var stream: StreamLogHandler

    init(label: String) {
        stream = StreamLogHandler.standardError(label: label)
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(URLRedaction.redacted(event.message.description))"
        event.metadata = event.metadata.map(Self.redacted)
        stream.log(event: event)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { stream[metadataKey: key] }
        set { stream[metadataKey: key] = newValue.map(Self.redacted) }
    }

    var metadata: Logger.Metadata {
        get { stream.metadata }
        set { stream.metadata = Self.redacted(newValue) }
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    private static func redacted(_ metadata: Logger.Metadata) -> Logger.Metadata {
        metadata.mapValues(redacted)
    }

    private static func redacted(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        .string(URLRedaction.redacted(value.description))
    }
}
