import KafkaProtocol
import NIOCore
import Testing

@Suite struct HeaderTests {
    @Test func requestHeaderVersionFollowsTheRequestsFlexibility() {
        #expect(RequestHeader(apiKey: .metadata, apiVersion: 8, correlationId: 0, clientId: nil).headerVersion == 1)
        #expect(RequestHeader(apiKey: .metadata, apiVersion: 9, correlationId: 0, clientId: nil).headerVersion == 2)
        #expect(RequestHeader(apiKey: .apiVersions, apiVersion: 3, correlationId: 0, clientId: nil).headerVersion == 2)
        #expect(RequestHeader(apiKey: .saslHandshake, apiVersion: 1, correlationId: 0, clientId: nil).headerVersion == 1)
        #expect(RequestHeader(apiKey: ApiKey(rawValue: 999), apiVersion: 5, correlationId: 0, clientId: nil).headerVersion == 1)
    }

    @Test func requestHeaderV2AddsAnEmptyTagSectionAndRoundTrips() throws {
        let header = RequestHeader(apiKey: .fetch, apiVersion: 12, correlationId: 0x0102_0304, clientId: nil)
        var buffer = ByteBuffer()
        try header.encode(into: &buffer)
        #expect(Array(buffer.readableBytesView) == [0x00, 0x01, 0x00, 0x0C, 0x01, 0x02, 0x03, 0x04, 0xFF, 0xFF, 0x00])
        #expect(try RequestHeader.decode(from: &buffer) == header)
        #expect(buffer.readableBytes == 0)
    }

    @Test func responseHeaderV1HasTaggedFieldsForFlexibleVersions() throws {
        var buffer = ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x09, 0x01, 0x05, 0x01, 0xEE, 0x77])
        let header = try ResponseHeader.decode(from: &buffer, apiKey: .metadata, apiVersion: 12)
        #expect(header.correlationId == 9)
        #expect(Array(buffer.readableBytesView) == [0x77], "the unknown tagged field is skipped, the body left")
    }

    @Test func responseHeaderV0ForNonFlexibleVersions() throws {
        var buffer = ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x09, 0x01])
        let header = try ResponseHeader.decode(from: &buffer, apiKey: .metadata, apiVersion: 8)
        #expect(header.correlationId == 9)
        #expect(buffer.readableBytes == 1)
    }

    @Test func apiVersionsResponsesAlwaysUseHeaderV0() throws {
        for version in ApiVersionsResponse.supportedVersions {
            #expect(ResponseHeader.headerVersion(apiKey: .apiVersions, apiVersion: version) == 0)
            var buffer = ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x01, 0x00, 0x23])
            _ = try ResponseHeader.decode(from: &buffer, apiKey: .apiVersions, apiVersion: version)
            #expect(Array(buffer.readableBytesView) == [0x00, 0x23], "v\(version): the body's error code must stay unread")
        }
        #expect(ResponseHeader.headerVersion(apiKey: .fetch, apiVersion: 12) == 1)
    }

    @Test func responseHeaderEncodeMatchesDecode() throws {
        var buffer = ByteBuffer()
        ResponseHeader(correlationId: 77).encode(into: &buffer, apiKey: .joinGroup, apiVersion: 6)
        #expect(Array(buffer.readableBytesView) == [0x00, 0x00, 0x00, 0x4D, 0x00])
        #expect(try ResponseHeader.decode(from: &buffer, apiKey: .joinGroup, apiVersion: 6).correlationId == 77)
    }

    @Test func apiKeysKnowTheirNamesAndVersions() {
        #expect(ApiKey.produce.rawValue == 0)
        #expect(ApiKey.saslAuthenticate.rawValue == 36)
        #expect(ApiKey.initProducerId.name == "InitProducerId")
        #expect(ApiKey.fetch.supportedVersions == 0...17)
        #expect(ApiKey(rawValue: 999).supportedVersions == nil)
        #expect(ApiKey.allGenerated.count == 19)
        #expect("\(ApiKey.metadata)" == "Metadata(3)")
    }

    @Test func errorCodesCarryNamesAndRetriability() {
        #expect(KafkaErrorCode.none.rawValue == 0)
        #expect(KafkaErrorCode.unknownTopicOrPartition.rawValue == 3)
        #expect(KafkaErrorCode.notLeaderOrFollower.isRetriable)
        #expect(!KafkaErrorCode.topicAlreadyExists.isRetriable)
        #expect(KafkaErrorCode(rawValue: 6).name == "NOT_LEADER_OR_FOLLOWER")
        #expect("\(KafkaErrorCode.unknownServerError)" == "UNKNOWN_SERVER_ERROR (-1)")
        #expect(KafkaErrorCode(rawValue: 32000).name == "UNKNOWN_ERROR_CODE")
    }
}
