/// The message kind in a frame (envelope) header, section 2.4 of the v4 spec.
public struct CQLOpcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let error = CQLOpcode(rawValue: 0x00)
    public static let startup = CQLOpcode(rawValue: 0x01)
    public static let ready = CQLOpcode(rawValue: 0x02)
    public static let authenticate = CQLOpcode(rawValue: 0x03)
    public static let options = CQLOpcode(rawValue: 0x05)
    public static let supported = CQLOpcode(rawValue: 0x06)
    public static let query = CQLOpcode(rawValue: 0x07)
    public static let result = CQLOpcode(rawValue: 0x08)
    public static let prepare = CQLOpcode(rawValue: 0x09)
    public static let execute = CQLOpcode(rawValue: 0x0A)
    public static let register = CQLOpcode(rawValue: 0x0B)
    public static let event = CQLOpcode(rawValue: 0x0C)
    public static let batch = CQLOpcode(rawValue: 0x0D)
    public static let authChallenge = CQLOpcode(rawValue: 0x0E)
    public static let authResponse = CQLOpcode(rawValue: 0x0F)
    public static let authSuccess = CQLOpcode(rawValue: 0x10)

    public var description: String {
        switch rawValue {
        case 0x00: "ERROR"
        case 0x01: "STARTUP"
        case 0x02: "READY"
        case 0x03: "AUTHENTICATE"
        case 0x05: "OPTIONS"
        case 0x06: "SUPPORTED"
        case 0x07: "QUERY"
        case 0x08: "RESULT"
        case 0x09: "PREPARE"
        case 0x0A: "EXECUTE"
        case 0x0B: "REGISTER"
        case 0x0C: "EVENT"
        case 0x0D: "BATCH"
        case 0x0E: "AUTH_CHALLENGE"
        case 0x0F: "AUTH_RESPONSE"
        case 0x10: "AUTH_SUCCESS"
        default: "opcode(0x\(String(rawValue, radix: 16)))"
        }
    }
}
