import KafkaProtocol
import NIOCore
import Testing

/// Decoders must throw on bad bytes, never crash or allocate what a length claims.
@Suite struct HostileInputTests {
    @Test func negativeLengthsAreMalformed() {
        var string = ByteBuffer(bytes: [0xFF, 0xFE, 0x41])
        #expect(throws: KafkaDecodingError.self) { try string.readKafkaNullableString(compact: false) }
        var bytes = ByteBuffer(bytes: [0x80, 0x00, 0x00, 0x00])
        #expect(throws: KafkaDecodingError.self) { try bytes.readKafkaNullableBytes(compact: false) }
        var array = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xF0])
        #expect(throws: KafkaDecodingError.self) { try array.readKafkaArrayLength(compact: false) }
    }

    @Test func lengthsBeyondTheBufferAreRejectedBeforeAllocating() {
        var array = ByteBuffer(bytes: [0x7F, 0xFF, 0xFF, 0xFF, 0x00])
        #expect(throws: KafkaDecodingError.self) { try array.readKafkaArrayLength(compact: false) }
        var compactArray = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        #expect(throws: KafkaDecodingError.self) { try compactArray.readKafkaArrayLength(compact: true) }
        var bytes = ByteBuffer(bytes: [0x00, 0x00, 0x10, 0x00, 0x01])
        #expect(throws: KafkaDecodingError.self) { try bytes.readKafkaBytes(compact: false) }
        var tags = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        #expect(throws: KafkaDecodingError.self) { try tags.readKafkaTaggedFieldCount() }
        var taggedValue = ByteBuffer(bytes: [0x01, 0x00, 0x7F, 0x00])
        #expect(throws: KafkaDecodingError.self) { try taggedValue.skipKafkaTaggedFields() }
        var overlong = ByteBuffer(bytes: [0x80, 0x80, 0x80, 0x80, 0x80, 0x01])
        #expect(throws: KafkaDecodingError.self) { try overlong.readKafkaBytes(compact: true) }
    }

    @Test func unsupportedVersionsAreRefused() {
        var buffer = ByteBuffer(bytes: [0x00])
        #expect(throws: KafkaDecodingError.self) { try MetadataResponse(from: &buffer, version: 13) }
        #expect(throws: KafkaEncodingError.self) { try MetadataRequest().encode(into: &buffer, version: -1) }
    }

    @Test("every strict prefix of a valid encoding throws", arguments: MessageSample.all)
    func truncatedInputThrows(sample: MessageSample) throws {
        for version in sample.versions {
            let full = try sample.encoded(version)
            for length in stride(from: 0, to: full.readableBytes, by: 1) {
                var prefix = full.getSlice(at: full.readerIndex, length: length)!
                #expect(throws: KafkaDecodingError.self, "\(sample.name) v\(version) cut at \(length)") {
                    try sample.decode(&prefix, version)
                }
            }
        }
    }

    @Test("random bytes never crash a decoder", arguments: MessageSample.all)
    func randomBytesDoNotCrash(sample: MessageSample) {
        var generator = SplitMix64(seed: UInt64(truncatingIfNeeded: sample.name.utf8.count) &* 0x9E37_79B9)
        for version in sample.versions {
            for _ in 0..<50 {
                let count = Int(generator.next() % 64)
                var buffer = ByteBuffer(bytes: (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
                _ = try? sample.decode(&buffer, version)
            }
        }
    }
}

/// A small deterministic generator so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
