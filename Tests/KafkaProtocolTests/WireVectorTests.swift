import Foundation
import KafkaProtocol
import NIOCore
import Testing

/// Byte layouts worked out by hand from the JSON definitions and protocol.html.
@Suite struct WireVectorTests {
    /// Encodes header + body the way a client frames a request (without the size prefix).
    func requestBytes<Request: KafkaRequest>(_ request: Request, version: Int16, correlationId: Int32, clientId: String?) throws -> [UInt8] {
        var buffer = ByteBuffer()
        let header = RequestHeader(apiKey: Request.apiKey, apiVersion: version, correlationId: correlationId, clientId: clientId)
        try header.encode(into: &buffer)
        try request.encode(into: &buffer, version: version)
        return Array(buffer.readableBytesView)
    }

    func bodyBytes<Message: KafkaCodable>(_ message: Message, version: Int16) throws -> [UInt8] {
        var buffer = ByteBuffer()
        try message.encode(into: &buffer, version: version)
        return Array(buffer.readableBytesView)
    }

    @Test func apiVersionsV0RequestUsesHeaderV1AndAnEmptyBody() throws {
        let bytes = try requestBytes(ApiVersionsRequest(), version: 0, correlationId: 1, clientId: "ab")
        #expect(bytes == [
            0x00, 0x12,              // api key 18
            0x00, 0x00,              // api version 0
            0x00, 0x00, 0x00, 0x01,  // correlation id
            0x00, 0x02, 0x61, 0x62,  // client id "ab" (int16 length)
        ])
    }

    @Test func apiVersionsV3RequestUsesHeaderV2AndCompactStrings() throws {
        let request = ApiVersionsRequest(clientSoftwareName: "swift", clientSoftwareVersion: "1.0")
        let bytes = try requestBytes(request, version: 3, correlationId: 7, clientId: "ab")
        #expect(bytes == [
            0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07,
            0x00, 0x02, 0x61, 0x62,              // client id stays a classic nullable string
            0x00,                                // header tagged fields
            0x06, 0x73, 0x77, 0x69, 0x66, 0x74,  // compact "swift": length + 1
            0x04, 0x31, 0x2E, 0x30,              // compact "1.0"
            0x00,                                // body tagged fields
        ])
    }

    @Test func apiVersionsV0ResponseDecodes() throws {
        var buffer = ByteBuffer(bytes: [
            0x00, 0x00, 0x00, 0x2A,              // response header v0: correlation id 42
            0x00, 0x00,                          // error code
            0x00, 0x00, 0x00, 0x02,              // 2 api keys
            0x00, 0x00, 0x00, 0x00, 0x00, 0x0B,  // Produce 0...11
            0x00, 0x12, 0x00, 0x00, 0x00, 0x04,  // ApiVersions 0...4
        ])
        let header = try ResponseHeader.decode(from: &buffer, apiKey: .apiVersions, apiVersion: 0)
        let response = try ApiVersionsResponse(from: &buffer, version: 0)
        #expect(header.correlationId == 42)
        #expect(response.errorCode == 0)
        #expect(response.apiKeys == [
            .init(apiKey: 0, minVersion: 0, maxVersion: 11),
            .init(apiKey: 18, minVersion: 0, maxVersion: 4),
        ])
        #expect(response.throttleTimeMs == 0)
        #expect(buffer.readableBytes == 0)
    }

    @Test func apiVersionsV3ResponseReadsKnownTaggedFieldsAndSkipsUnknownOnes() throws {
        var bytes: [UInt8] = [0x00, 0x00]                       // error code
        bytes += [0x02, 0x00, 0x03, 0x00, 0x00, 0x00, 0x0C, 0x00] // 1 key: Metadata 0...12, empty tags
        bytes += [0x00, 0x00, 0x00, 0x00]                       // throttle time
        bytes += [0x02]                                         // 2 tagged fields
        bytes += [0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05] // tag 1: finalized epoch 5
        bytes += [0x63, 0x02, 0xAB, 0xCD]                       // tag 99 (unknown): skipped
        var input = ByteBuffer(bytes: bytes)
        let response = try ApiVersionsResponse(from: &input, version: 3)
        #expect(response.apiKeys == [.init(apiKey: 3, minVersion: 0, maxVersion: 12)])
        #expect(response.finalizedFeaturesEpoch == 5)
        #expect(response.supportedFeatures.isEmpty)
        #expect(input.readableBytes == 0)
    }

    @Test func metadataV1RequestListsTopicsOrNullForAll() throws {
        let some = MetadataRequest(topics: [.init(name: "t")])
        #expect(try bodyBytes(some, version: 1) == [0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x74])
        #expect(try bodyBytes(MetadataRequest(topics: nil), version: 1) == [0xFF, 0xFF, 0xFF, 0xFF])
    }

    @Test func metadataV12RequestIsCompactWithTopicIds() throws {
        let request = MetadataRequest(topics: [.init(name: "t")])
        let topicId = [UInt8](repeating: 0, count: 16)
        #expect(try bodyBytes(request, version: 12) ==
            [0x02] + topicId + [0x02, 0x74, 0x00]  // 1 topic: zero id, compact "t", tags
            + [0x01]                               // allow auto topic creation (default true)
            + [0x00]                               // include topic authorized operations
            + [0x00])                              // tags
        #expect(try bodyBytes(MetadataRequest(topics: nil), version: 12) == [0x00, 0x01, 0x00, 0x00])
    }

    @Test func produceV9RequestCarriesRecordsAsCompactBytes() throws {
        let request = ProduceRequest(
            transactionalId: nil, acks: -1, timeoutMs: 1000,
            topicData: [.init(name: "t", partitionData: [.init(index: 0, records: ByteBuffer(bytes: [0xAA, 0xBB, 0xCC]))])])
        #expect(try bodyBytes(request, version: 9) == [
            0x00,                    // transactional id: compact null
            0xFF, 0xFF,              // acks -1
            0x00, 0x00, 0x03, 0xE8,  // timeout 1000 ms
            0x02,                    // 1 topic
            0x02, 0x74,              // "t"
            0x02,                    // 1 partition
            0x00, 0x00, 0x00, 0x00,  // index 0
            0x04, 0xAA, 0xBB, 0xCC,  // records: compact length 3 + 1
            0x00,                    // partition tags
            0x00,                    // topic tags
            0x00,                    // request tags
        ])
    }

    @Test func findCoordinatorV4RequestBatchesKeys() throws {
        let request = FindCoordinatorRequest(keyType: 0, coordinatorKeys: ["g"])
        #expect(try bodyBytes(request, version: 4) == [
            0x00,              // key type: group
            0x02, 0x02, 0x67,  // 1 key: compact "g"
            0x00,              // tags
        ])
        let header = try requestBytes(request, version: 4, correlationId: 2, clientId: nil)
        #expect(header.prefix(11) == [0x00, 0x0A, 0x00, 0x04, 0x00, 0x00, 0x00, 0x02, 0xFF, 0xFF, 0x00])
    }

    static let joinGroupV5Response: [UInt8] = [
        0x00, 0x00, 0x00, 0x05,                    // throttle time 5 ms
        0x00, 0x00,                                // error code
        0x00, 0x00, 0x00, 0x03,                    // generation 3
        0x00, 0x05, 0x72, 0x61, 0x6E, 0x67, 0x65,  // protocol name "range"
        0x00, 0x02, 0x6D, 0x31,                    // leader "m1"
        0x00, 0x02, 0x6D, 0x31,                    // member id "m1"
        0x00, 0x00, 0x00, 0x01,                    // 1 member
        0x00, 0x02, 0x6D, 0x31,                    //   member id "m1"
        0xFF, 0xFF,                                //   group instance id null
        0x00, 0x00, 0x00, 0x02, 0x00, 0x01,        //   metadata: 2 bytes
    ]

    @Test func joinGroupV5ResponseDecodesAndReencodes() throws {
        var buffer = ByteBuffer(bytes: Self.joinGroupV5Response)
        let response = try JoinGroupResponse(from: &buffer, version: 5)
        #expect(buffer.readableBytes == 0)
        #expect(response == JoinGroupResponse(
            throttleTimeMs: 5, errorCode: 0, generationId: 3, protocolType: nil, protocolName: "range",
            leader: "m1", memberId: "m1",
            members: [.init(memberId: "m1", groupInstanceId: nil, metadata: ByteBuffer(bytes: [0x00, 0x01]))]))
        #expect(try bodyBytes(response, version: 5) == Self.joinGroupV5Response)
    }

    @Test func consumerProtocolSubscriptionCarriesItsVersion() throws {
        let subscription = ConsumerProtocolSubscription(topics: ["t"], userData: nil)
        var buffer = ByteBuffer()
        try subscription.encodeVersionPrefixed(into: &buffer, version: 0)
        #expect(Array(buffer.readableBytesView) == [
            0x00, 0x00,                          // consumer protocol version 0
            0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x74,  // topics ["t"]
            0xFF, 0xFF, 0xFF, 0xFF,              // user data null
        ])
        #expect(try ConsumerProtocolSubscription(versionPrefixed: &buffer) == subscription)
    }

    @Test func consumerProtocolDataFromNewerVersionsDecodesAsNewestKnown() throws {
        let assignment = ConsumerProtocolAssignment(assignedPartitions: [.init(topic: "t", partitions: [0, 2])])
        var buffer = ByteBuffer()
        buffer.writeInteger(Int16(9))  // a version from the future
        try assignment.encode(into: &buffer, version: 3)
        buffer.writeBytes([0x01, 0x02])  // fields this module does not know yet
        #expect(try ConsumerProtocolAssignment(versionPrefixed: &buffer) == assignment)
        var empty = ByteBuffer()
        #expect(try ConsumerProtocolAssignment(versionPrefixed: &empty) == ConsumerProtocolAssignment())
    }

    @Test func fetchResponseRecordsShareTheInputStorage() throws {
        let response = FetchResponse(responses: [.init(topic: "t", partitions: [
            .init(partitionIndex: 0, highWatermark: 10, records: ByteBuffer(bytes: Array(repeating: 0x5A, count: 64))),
        ])])
        var buffer = ByteBuffer()
        try response.encode(into: &buffer, version: 12)
        let inputRange = buffer.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress!)..<(UInt(bitPattern: $0.baseAddress!) + UInt($0.count)) }
        let decoded = try FetchResponse(from: &buffer, version: 12)
        let records = try #require(decoded.responses.first?.partitions.first?.records)
        #expect(records.readableBytes == 64)
        let recordsAddress = records.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress!) }
        #expect(inputRange.contains(recordsAddress), "records were copied instead of sliced")
    }
}

@Suite struct ApiVersionsFallbackTests {
    @Test func aVersion0AnswerToANewerRequestIsAccepted() throws {
        // A broker that does not know v4 answers with a v0 body: UNSUPPORTED_VERSION (35) and its range.
        let bytes: [UInt8] = [0x00, 0x23, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12, 0x00, 0x00, 0x00, 0x02]
        var buffer = ByteBuffer(bytes: bytes)
        let response = try ApiVersionsResponse.decodeAllowingVersion0Fallback(from: &buffer, version: 4)
        #expect(KafkaErrorCode(rawValue: response.errorCode) == .unsupportedVersion)
        #expect(response.apiKeys == [.init(apiKey: 18, minVersion: 0, maxVersion: 2)])
        #expect(buffer.readableBytes == 0)
    }

    @Test func aProperAnswerDecodesAtTheRequestedVersion() throws {
        let original = ApiVersionsResponse(apiKeys: [.init(apiKey: 1, minVersion: 4, maxVersion: 17)], throttleTimeMs: 3)
        var buffer = ByteBuffer()
        try original.encode(into: &buffer, version: 3)
        #expect(try ApiVersionsResponse.decodeAllowingVersion0Fallback(from: &buffer, version: 3) == original)
    }

    @Test func garbageStillThrows() {
        var buffer = ByteBuffer(bytes: [0x00, 0x00, 0x05])
        #expect(throws: KafkaDecodingError.self) { try ApiVersionsResponse.decodeAllowingVersion0Fallback(from: &buffer, version: 3) }
    }
}
