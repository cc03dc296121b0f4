import KafkaProtocol
import NIOCore
import Testing
@testable import Kafka

/// Byte vectors written out by hand from ConsumerProtocolSubscription.json and
/// ConsumerProtocolAssignment.json: int16 version, then the fields (int32 array lengths,
/// int16 string lengths, int32 bytes length with -1 for null).
@Suite struct ConsumerProtocolCodecTests {
    @Test("our subscription is version 0: topics, then null user data")
    func subscriptionBytes() {
        let bytes = Array(ConsumerProtocolCodec.subscription(topics: ["users"]).readableBytesView)
        #expect(bytes == [0x00, 0x00,                          // version 0
                          0x00, 0x00, 0x00, 0x01,              // 1 topic
                          0x00, 0x05] + Array("users".utf8) + [ // "users"
                          0xFF, 0xFF, 0xFF, 0xFF])             // user data: null
    }

    @Test("our assignment groups partitions by topic, both sorted")
    func assignmentBytes() {
        let partitions = [TopicPartition(topic: "u", partition: 1), TopicPartition(topic: "t", partition: 2), TopicPartition(topic: "t", partition: 0)]
        let bytes = Array(ConsumerProtocolCodec.assignment(partitions).readableBytesView)
        #expect(bytes == [0x00, 0x00,                                            // version 0
                          0x00, 0x00, 0x00, 0x02,                                // 2 topics
                          0x00, 0x01, 0x74, 0x00, 0x00, 0x00, 0x02,              // "t", 2 partitions
                          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,        // 0, 2
                          0x00, 0x01, 0x75, 0x00, 0x00, 0x00, 0x01,              // "u", 1 partition
                          0x00, 0x00, 0x00, 0x01,                                // 1
                          0xFF, 0xFF, 0xFF, 0xFF])                               // user data: null
    }

    @Test("a version 3 subscription (owned partitions, generation, rack) decodes to its topics")
    func subscriptionVersion3() throws {
        var buffer = ByteBuffer(bytes: [0x00, 0x03,                                 // version 3
                                        0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x74,    // topics ["t"]
                                        0x00, 0x00, 0x00, 0x02, 0xAB, 0xCD,          // user data: 2 bytes
                                        0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x74,    // owned: "t"
                                        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, //   partition 4
                                        0x00, 0x00, 0x00, 0x07,                      // generation 7
                                        0x00, 0x02, 0x72, 0x31])                     // rack "r1"
        let subscription = try ConsumerProtocolSubscription(versionPrefixed: &buffer)
        #expect(subscription.topics == ["t"])
        #expect(subscription.ownedPartitions == [.init(topic: "t", partitions: [4])])
        #expect(subscription.generationId == 7)
        #expect(subscription.rackId == "r1")
        #expect(buffer.readableBytes == 0)
    }

    @Test("an assignment from a newer version with user data decodes to its partitions")
    func assignmentNewerVersion() throws {
        let bytes = ByteBuffer(bytes: [0x00, 0x05,                                   // version 5 (newer than known)
                                       0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x74,
                                       0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,
                                       0x00, 0x00, 0x00, 0x01, 0x2A,                 // user data: 1 byte
                                       0x99])                                        // a field from the future
        #expect(try ConsumerProtocolCodec.partitions(in: bytes) == [TopicPartition(topic: "t", partition: 1), TopicPartition(topic: "t", partition: 3)])
    }

    @Test("empty assignment bytes mean no partitions")
    func emptyAssignment() throws {
        #expect(try ConsumerProtocolCodec.partitions(in: ByteBuffer()) == [])
    }
}
