/// Why compressing or decompressing record data failed.
public enum CompressionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Decompressed data would exceed the configured limit: a corrupt or hostile payload, or a limit set too low.
    case decompressedSizeExceeded(codec: CompressionCodec, limit: Int)
    /// The compressed bytes are not valid for the codec.
    case corrupt(codec: CompressionCodec, reason: String)
    /// The compression library refused to compress.
    case compressionFailed(codec: CompressionCodec, reason: String)

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case let .decompressedSizeExceeded(codec, limit):
            "\(codec) data decompresses to more than \(limit) bytes — raise the decompression limit if batches really are this large, otherwise the data is corrupt or hostile"
        case let .corrupt(codec, reason):
            "\(codec) data is corrupt: \(reason)"
        case let .compressionFailed(codec, reason):
            "\(codec) compression failed: \(reason)"
        }
    }
}
