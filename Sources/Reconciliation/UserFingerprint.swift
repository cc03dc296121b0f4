import UserContract

/// A user's eleven fields after its id, each as a 32-bit FNV-1a hash: small enough to keep one per
/// id on disk for tens of millions of ids, and it still names the fields that differ.
struct UserFingerprint: Equatable, Sendable {
    /// Four bytes per field, little-endian, in `User.CodingKeys` order after `id`.
    let bytes: [UInt8]

    static let fields = Array(User.CodingKeys.allCases.dropFirst())

    init(_ user: User) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.fields.count * 4)
        for field in Self.fields {
            var hash: UInt32 = 2_166_136_261
            var text = user[field]
            text.withUTF8 { utf8 in
                for byte in utf8 {
                    hash ^= UInt32(byte)
                    hash &*= 16_777_619
                }
            }
            withUnsafeBytes(of: hash.littleEndian) { bytes.append(contentsOf: $0) }
        }
        self.bytes = bytes
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The contract names of the fields whose hashes differ.
    func differingFields(from other: UserFingerprint) -> [String] {
        Self.fields.indices.compactMap { index in
            let range = index * 4..<index * 4 + 4
            guard bytes.count >= range.upperBound, other.bytes.count >= range.upperBound else { return Self.fields[index].rawValue }
            return bytes[range] == other.bytes[range] ? nil : Self.fields[index].rawValue
        }
    }
}
