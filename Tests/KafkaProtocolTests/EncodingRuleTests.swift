import KafkaProtocol
import NIOCore
import Testing

/// The definitions' rules for writing a version that cannot hold a value.
@Suite struct EncodingRuleTests {
    @Test func nullInAVersionThatCannotEncodeItThrows() {
        var buffer = ByteBuffer()
        #expect(throws: KafkaEncodingError.nullNotAllowed(field: "MetadataRequest.topics", version: 0)) {
            try MetadataRequest(topics: nil).encode(into: &buffer, version: 0)
        }
        #expect(throws: KafkaEncodingError.nullNotAllowed(field: "MetadataRequest.Topic.name", version: 9)) {
            try MetadataRequest(topics: [.init(name: nil)]).encode(into: &buffer, version: 9)
        }
        #expect(throws: Never.self) { try MetadataRequest(topics: [.init(name: nil)]).encode(into: &buffer, version: 10) }
    }

    @Test func nonIgnorableFieldsMissingFromTheVersionThrowUnlessDefault() {
        var buffer = ByteBuffer()
        #expect(throws: KafkaEncodingError.fieldNotInVersion(field: "MetadataRequest.allowAutoTopicCreation", version: 3)) {
            try MetadataRequest(topics: [], allowAutoTopicCreation: false).encode(into: &buffer, version: 3)
        }
        #expect(throws: Never.self) { try MetadataRequest(topics: [], allowAutoTopicCreation: true).encode(into: &buffer, version: 3) }
    }

    @Test func ignorableFieldsAreDroppedSilently() throws {
        var buffer = ByteBuffer()
        try ApiVersionsRequest(clientSoftwareName: "x", clientSoftwareVersion: "1").encode(into: &buffer, version: 2)
        #expect(buffer.readableBytes == 0)
    }

    @Test func taggedFieldsAtTheirDefaultAreNotWritten() throws {
        var buffer = ByteBuffer()
        try ApiVersionsResponse().encode(into: &buffer, version: 3)
        // error code, empty compact array, throttle time, empty tag section.
        #expect(Array(buffer.readableBytesView) == [0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00])
    }

    @Test func errorsSayWhatToDo() {
        let error = KafkaEncodingError.unsupportedVersion(message: "FetchRequest", version: 20, supported: 0...17)
        #expect(error.description.contains("negotiate"))
    }
}
