import NIOCore

// The consumer protocol carries subscriptions (JoinGroup protocol metadata) and assignments
// (SyncGroup assignment bytes) as an int16 version followed by the versioned structure.
// The generated codecs encode only the structure; these helpers add and strip the version.
// A peer may use a newer version than this module knows: newer versions only append fields,
// so such data is decoded as the newest known version and the extra bytes are ignored.

extension ConsumerProtocolSubscription {
    /// Decodes JoinGroup member metadata: an int16 version, then the subscription.
    public init(versionPrefixed buffer: inout ByteBuffer) throws(KafkaDecodingError) {
        let version = try buffer.readKafkaInteger(as: Int16.self)
        guard version >= 0 else { throw .malformed("consumer protocol subscription version \(version)") }
        try self.init(from: &buffer, version: min(version, Self.supportedVersions.upperBound))
    }

    /// Encodes JoinGroup member metadata: the int16 `version`, then the subscription.
    public func encodeVersionPrefixed(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard Self.supportedVersions.contains(version) else {
            throw .unsupportedVersion(message: "ConsumerProtocolSubscription", version: version, supported: Self.supportedVersions)
        }
        buffer.writeInteger(version)
        try encode(into: &buffer, version: version)
    }
}

extension ConsumerProtocolAssignment {
    /// Decodes SyncGroup assignment bytes: an int16 version, then the assignment. Empty bytes
    /// (a member the leader gave nothing) decode as an empty assignment.
    public init(versionPrefixed buffer: inout ByteBuffer) throws(KafkaDecodingError) {
        guard buffer.readableBytes > 0 else {
            self.init()
            return
        }
        let version = try buffer.readKafkaInteger(as: Int16.self)
        guard version >= 0 else { throw .malformed("consumer protocol assignment version \(version)") }
        try self.init(from: &buffer, version: min(version, Self.supportedVersions.upperBound))
    }

    /// Encodes SyncGroup assignment bytes: the int16 `version`, then the assignment.
    public func encodeVersionPrefixed(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard Self.supportedVersions.contains(version) else {
            throw .unsupportedVersion(message: "ConsumerProtocolAssignment", version: version, supported: Self.supportedVersions)
        }
        buffer.writeInteger(version)
        try encode(into: &buffer, version: version)
    }
}
