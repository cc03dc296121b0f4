import Crypto

/// UUID text in the 8-4-4-4-12 form: parsing to canonical lowercase, and name-based (v5) derivation.
public enum UUIDText {
    /// The lowercase canonical form of `text`, or `nil` when it is not 8-4-4-4-12 hex digits.
    public static func canonical(_ text: String) -> String? {
        var text = text
        let (valid, hasUppercase) = text.withUTF8 { utf8 in
            (isUUID(utf8), utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "F") })
        }
        guard valid else { return nil }
        return hasUppercase ? text.lowercased() : text
    }

    /// Whether `text` is a UUID in 8-4-4-4-12 hex form (either case).
    public static func isUUIDText(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isUUID($0) }
    }

    static func isUUID(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard utf8.count == 36 else { return false }
        for index in 0..<36 {
            let byte = utf8[index]
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard hexValue(byte) != nil else { return false }
            }
        }
        return true
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }

    /// Namespace of userstream's name-based user ids (a fixed random v4 UUID; never change it,
    /// or every fallback id changes and replays stop being upserts).
    public static let userNamespace: [UInt8] = bytes(of: "f8011a8c-8604-4ded-a9b2-49dc22cacb7b")

    /// RFC 9562 version 5 UUID (SHA-1) of `name` in `namespace`, as lowercase text.
    public static func nameBased(namespace: [UInt8] = userNamespace, name: String) -> String {
        var hasher = Insecure.SHA1()
        hasher.update(data: namespace)
        hasher.update(data: Array(name.utf8))
        var digest = Array(hasher.finalize().prefix(16))
        digest[6] = (digest[6] & 0x0F) | 0x50
        digest[8] = (digest[8] & 0x3F) | 0x80
        return text(of: digest)
    }

    /// Lowercase 8-4-4-4-12 text of 16 bytes.
    static func text(of bytes: [UInt8]) -> String {
        precondition(bytes.count == 16, "a UUID has 16 bytes")
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
            out.append(JSONTextWriter.hexDigits[Int(byte >> 4)])
            out.append(JSONTextWriter.hexDigits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(of uuidText: String) -> [UInt8] {
        let digits = uuidText.utf8.compactMap(hexValue)
        precondition(digits.count == 32, "not a UUID: \(uuidText)")
        return stride(from: 0, to: 32, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }
}
