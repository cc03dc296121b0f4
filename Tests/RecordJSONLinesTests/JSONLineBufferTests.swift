import Foundation
import KafkaProtocol
import NIOCore
import Testing
@testable import Kafka
@testable import RecordJSONLines

@Suite struct JSONLineBufferTests {
    /// The buffer's lines, each parsed as a JSON object.
    func lines(_ records: [ConsumerRecord]) throws -> [[String: Any]] {
        var buffer = JSONLineBuffer(capacity: 16)  // small: the buffer grows to fit
        for record in records { buffer.append(record) }
        let text = buffer.withBytes { String(decoding: $0, as: UTF8.self) }
        #expect(text.hasSuffix("\n"))
        return try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    func record(topic: String = "users", offset: Int64 = 7, key: ByteBuffer?, value: ByteBuffer?, headers: [KafkaHeader] = []) -> ConsumerRecord {
        ConsumerRecord(topic: topic, partition: 2, offset: offset, timestamp: 1_700_000_000_000, key: key, value: value, headers: headers)
    }

    @Test func aUTF8RecordIsOneLineWithEveryFieldAndItsTextEscaped() throws {
        let value = #"{"name": "Zoë", "quote": "say \"hi\"\n"}"#
        let json = try #require(try lines([record(key: ByteBuffer(string: "k-1"), value: ByteBuffer(string: value),
                                                  headers: [KafkaHeader(key: "source", value: ByteBuffer(string: "api"))])]).first)
        #expect(json["topic"] as? String == "users")
        #expect(json["partition"] as? Int == 2)
        #expect(json["offset"] as? Int == 7)
        #expect(json["timestamp"] as? Int == 1_700_000_000_000)
        #expect(json["key"] as? String == "k-1")
        #expect(json["value"] as? String == value)
        #expect(json["headers"] as? [[String]] == [["source", "api"]])
    }

    @Test func bytesThatAreNotUTF8BecomeNullPlusBase64() throws {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x41]
        let json = try #require(try lines([record(key: ByteBuffer(bytes: bytes), value: ByteBuffer(bytes: bytes))]).first)
        #expect(json["key"] is NSNull && json["value"] is NSNull)
        #expect(json["key_base64"] as? String == Data(bytes).base64EncodedString())
        #expect(json["value_base64"] as? String == Data(bytes).base64EncodedString())
    }

    @Test func aMissingKeyAndValueAreNullAndTopicsChangeBetweenLines() throws {
        let parsed = try lines([record(key: nil, value: nil), record(topic: "users.dlq", offset: 8, key: nil, value: ByteBuffer(string: "x"))])
        #expect(parsed.count == 2)
        #expect(parsed[0]["key"] is NSNull && parsed[0]["value"] is NSNull)
        #expect(parsed[1]["topic"] as? String == "users.dlq" && parsed[1]["offset"] as? Int == 8 && parsed[1]["value"] as? String == "x")
    }
}
