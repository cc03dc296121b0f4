import KafkaProtocol
import NIOCore
import Testing

/// Responses captured from a Tansu 0.6 broker (header included), decoded with the
/// generated codecs: a check against an independent implementation of the protocol.
@Suite struct BrokerCaptureTests {
    func buffer(hex: String) -> ByteBuffer {
        let digits = Array(hex.filter { !$0.isWhitespace })
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            bytes.append(UInt8(String(digits[index...index + 1]), radix: 16)!)
        }
        return ByteBuffer(bytes: bytes)
    }

    @Test func apiVersionsV3WithAllFourTaggedFields() throws {
        var input = buffer(hex: """
            00000004000025001300000007000010000000050000320000000000001e000000030000090000000900001900000004
            00000200000009000011000000010000470000000000003c000000010000120000000400002e0000000000002a000000
            020000080000000900002c0000000100000a00000006000045000000000000160000000500000e000000050000010000
            0011000020000000040000150000000200000d0000000500004b000000000000180000000500000f0000000500003300
            0000000000240000000200000b00000009000014000000060000000000000b00001a000000040000030000000c00000c
            0000000400001c0000000400001d000000030000000000040001010108ffffffffffffffff020101030100
            """)
        let header = try ResponseHeader.decode(from: &input, apiKey: .apiVersions, apiVersion: 3)
        let response = try ApiVersionsResponse(from: &input, version: 3)
        #expect(header.correlationId == 4)
        #expect(input.readableBytes == 0)
        #expect(response.errorCode == 0)
        #expect(response.apiKeys.count == 36)
        #expect(response.apiKeys.contains(.init(apiKey: 1, minVersion: 0, maxVersion: 17)))
        #expect(response.apiKeys.contains(.init(apiKey: 3, minVersion: 0, maxVersion: 12)))
        #expect(response.finalizedFeaturesEpoch == -1)
        #expect(!response.zkMigrationReady)
    }

    @Test func findCoordinatorV6BatchesCoordinators() throws {
        var input = buffer(hex: "0000003b0000000000020367310000006f0a3132372e302e302e3100009c370000000000")
        let header = try ResponseHeader.decode(from: &input, apiKey: .findCoordinator, apiVersion: 6)
        let response = try FindCoordinatorResponse(from: &input, version: 6)
        #expect(header.correlationId == 59)
        #expect(input.readableBytes == 0)
        #expect(response.coordinators == [
            .init(key: "g1", nodeId: 111, host: "127.0.0.1", port: 39991, errorCode: 0, errorMessage: nil),
        ])
    }

    @Test func joinGroupV9CarriesTheConsumerSubscription() throws {
        let memberId = "probe-c7cc6a20-c269-445b-b7bb-e9a129ab8a3d"
        var input = buffer(hex: """
            0000007d000000000000000000000009636f6e73756d65720672616e67652b70726f62652d63376363366132302d6332
            36392d343435622d623762622d653961313239616238613364002b70726f62652d63376363366132302d633236392d34
            3435622d623762622d653961313239616238613364022b70726f62652d63376363366132302d633236392d343435622d
            623762622d6539613132396162386133640018000100000001000770726f62652d37ffffffff000000000000
            """)
        let header = try ResponseHeader.decode(from: &input, apiKey: .joinGroup, apiVersion: 9)
        let response = try JoinGroupResponse(from: &input, version: 9)
        #expect(header.correlationId == 125)
        #expect(input.readableBytes == 0)
        #expect(response.generationId == 0)
        #expect(response.protocolType == "consumer")
        #expect(response.protocolName == "range")
        #expect(response.leader == memberId)
        #expect(response.memberId == memberId)
        #expect(!response.skipAssignment)
        let member = try #require(response.members.first)
        #expect(member.memberId == memberId && member.groupInstanceId == nil)
        var metadata = member.metadata
        let subscription = try ConsumerProtocolSubscription(versionPrefixed: &metadata)
        #expect(subscription == ConsumerProtocolSubscription(topics: ["probe-7"], userData: nil, ownedPartitions: []))
    }

    @Test func produceV9ReportsTheBaseOffset() throws {
        var input = buffer(hex: "0000001e00020870726f62652d3702000000000000000000000000000cffffffffffffffff0000000000000000010000000000000000")
        let header = try ResponseHeader.decode(from: &input, apiKey: .produce, apiVersion: 9)
        let response = try ProduceResponse(from: &input, version: 9)
        #expect(header.correlationId == 30)
        #expect(input.readableBytes == 0)
        let partition = try #require(response.responses.first?.partitionResponses.first)
        #expect(response.responses.first?.name == "probe-7")
        #expect(partition.index == 0 && partition.errorCode == 0)
        #expect(partition.baseOffset == 12)
        #expect(partition.logAppendTimeMs == -1)
        #expect(partition.recordErrors.isEmpty && partition.errorMessage == nil)
    }
}
