import NIOCore

/// The marker a transaction coordinator writes when a transaction ends (the key of a control record).
public struct ControlRecord: Hashable, Sendable {
    /// What ended the transaction.
    public enum Kind: Hashable, Sendable {
        /// Type 0: the transaction was aborted; its records must be hidden from read_committed consumers.
        case abort
        /// Type 1: the transaction was committed.
        case commit
        /// A type this client does not know; treated as neither abort nor commit.
        case unknown(Int16)
    }

    /// Schema version of the key (0 today).
    public var version: Int16
    /// Abort or commit.
    public var kind: Kind

    /// A marker from its fields.
    public init(version: Int16 = 0, kind: Kind) {
        self.version = version
        self.kind = kind
    }

    /// Reads the marker from a control record's key: version int16, type int16.
    public init(record: Record) throws(KafkaDecodingError) {
        guard var key = record.key else { throw .malformed("control record at offset \(record.offset) has a null key") }
        guard let version = key.readInteger(as: Int16.self), let type = key.readInteger(as: Int16.self) else {
            throw .truncated("control record key at offset \(record.offset) is shorter than 4 bytes")
        }
        self.version = version
        switch type {
        case 0: self.kind = .abort
        case 1: self.kind = .commit
        default: self.kind = .unknown(type)
        }
    }

    /// The key bytes of this marker as a control record carries them.
    public var keyBytes: ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(version)
        let type: Int16 = switch kind {
        case .abort: 0
        case .commit: 1
        case .unknown(let raw): raw
        }
        buffer.writeInteger(type)
        return buffer
    }
}
