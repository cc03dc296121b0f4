import NIOCore

extension ApiVersionsResponse {
    /// Decodes an ApiVersions response to a request sent at `version`, accepting the version 0
    /// body a broker sends (with UNSUPPORTED_VERSION and its own api keys) when it does not
    /// support `version`. Use this instead of `init(from:version:)` for the first request on
    /// a connection; retry with a version inside the broker's advertised ApiVersions range.
    public static func decodeAllowingVersion0Fallback(from buffer: inout ByteBuffer, version: Int16) throws(KafkaDecodingError) -> ApiVersionsResponse {
        var attempt = buffer
        do {
            let response = try ApiVersionsResponse(from: &attempt, version: version)
            if attempt.readableBytes == 0 || version == 0 {
                buffer = attempt
                return response
            }
        } catch {
            if version == 0 { throw error }
            return try decodeVersion0Fallback(from: &buffer, original: error)
        }
        return try decodeVersion0Fallback(from: &buffer, original: .malformed("ApiVersionsResponse v\(version) left bytes unread"))
    }

    private static func decodeVersion0Fallback(from buffer: inout ByteBuffer, original: KafkaDecodingError) throws(KafkaDecodingError) -> ApiVersionsResponse {
        var attempt = buffer
        guard let response = try? ApiVersionsResponse(from: &attempt, version: 0),
              response.errorCode == KafkaErrorCode.unsupportedVersion.rawValue, attempt.readableBytes == 0 else {
            throw original
        }
        buffer = attempt
        return response
    }
}
