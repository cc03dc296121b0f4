@testable import Kafka
import NIOCore
import Testing
@testable import UserPipeline

@Suite struct DeadLetterTests {
    func consumed(value: ByteBuffer?) -> ConsumerRecord {
        ConsumerRecord(topic: "users_created", partition: 2, offset: 41, timestamp: 1_700_000_000_000,
                       key: ByteBuffer(string: "k"), value: value, headers: [KafkaHeader(key: "origin", value: ByteBuffer(string: "test"))])
    }

    func headers(_ record: ProducerRecord) -> [String: String] {
        Dictionary(record.headers.map { ($0.key, $0.value.map { String(buffer: $0) } ?? "") }, uniquingKeysWith: { $1 })
    }

    @Test func keepsKeyValueAndHeadersAndSaysWhyAndWhereFrom() {
        let record = DeadLetter.record(for: consumed(value: ByteBuffer(string: "not json")),
                                       reason: .notJSON(offset: 0, detail: "expected a value"), topic: "users_created.dlq")
        #expect(record.topic == "users_created.dlq")
        #expect(record.key == ByteBuffer(string: "k"))
        #expect(record.value == ByteBuffer(string: "not json"))
        let h = headers(record)
        #expect(h["origin"] == "test")
        #expect(h[DeadLetter.Header.reason] == "not_json")
        #expect(h[DeadLetter.Header.message]?.isEmpty == false)
        #expect(h[DeadLetter.Header.sourceTopic] == "users_created")
        #expect(h[DeadLetter.Header.sourcePartition] == "2")
        #expect(h[DeadLetter.Header.sourceOffset] == "41")
        #expect(h[DeadLetter.Header.originalSize] == nil)
    }

    @Test func cutsOversizedValuesAndRecordsTheOriginalSize() {
        let big = ByteBuffer(repeating: UInt8(ascii: "x"), count: 2 << 20)
        let record = DeadLetter.record(for: consumed(value: big), reason: .oversizedValue(size: 2 << 20, limit: 1 << 20), topic: "dlq")
        #expect(record.value?.readableBytes == DeadLetter.maxValueBytes)
        #expect(headers(record)[DeadLetter.Header.originalSize] == String(2 << 20))
    }

    @Test func nullValuesStayNull() {
        let record = DeadLetter.record(for: consumed(value: nil), reason: .nullValue, topic: "dlq")
        #expect(record.value == nil)
        #expect(headers(record)[DeadLetter.Header.reason] == "null_value")
    }
}
