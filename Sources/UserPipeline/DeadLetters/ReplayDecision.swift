import Kafka
import NIOCore

/// What a replay does with one selected dead letter.
public enum ReplayDecision: Sendable {
    /// Send this record back to its source topic.
    case replay(ProducerRecord)
    /// It came back after `replays` replays, the most allowed: left where it is.
    case maxReplaysReached(replays: Int)
    /// It cannot be sent back as it was: no source topic in its headers, or a value cut to the dead-letter limit.
    case unreplayable(why: String)

    /// The decision for `entry` when a record may be replayed at most `maxReplays` times: its key,
    /// value and original headers go back to the source topic with `dlq.replays` one higher.
    public static func decide(_ entry: DeadLetterEntry, maxReplays: Int) -> ReplayDecision {
        guard let source = entry.source else { return .unreplayable(why: "no dlq.source.topic and dlq.source.partition headers") }
        guard !entry.isCut else { return .unreplayable(why: "its value was cut to the dead-letter limit; the whole value is in \(source)") }
        guard entry.replays < maxReplays else { return .maxReplaysReached(replays: entry.replays) }
        let count = KafkaHeader(key: DeadLetter.Header.replays, value: ByteBuffer(string: String(entry.replays + 1)))
        return .replay(ProducerRecord(topic: source.topic, key: entry.record.key, value: entry.record.value,
                                      headers: entry.originalHeaders + [count]))
    }
}
