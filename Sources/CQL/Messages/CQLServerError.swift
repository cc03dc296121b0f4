import NIOCore

/// An ERROR message from the server (section 9 of the v4 spec): its code, message and the
/// details that code carries.
public struct CQLServerError: Sendable, Hashable, CustomStringConvertible {
    /// The error code.
    public var code: CQLServerErrorCode
    /// The server's message text.
    public var message: String
    /// The per-code details.
    public var details: Details

    /// Creates a server error.
    public init(code: CQLServerErrorCode, message: String, details: Details = .none) {
        self.code = code
        self.message = message
        self.details = details
    }

    /// The extra content some error codes carry.
    public enum Details: Sendable, Hashable {
        case none
        case unavailable(consistency: CQLConsistency, required: Int32, alive: Int32)
        case writeTimeout(consistency: CQLConsistency, received: Int32, blockFor: Int32, writeType: String, contentions: UInt16?)
        case readTimeout(consistency: CQLConsistency, received: Int32, blockFor: Int32, dataPresent: Bool)
        /// `failures` counts failed replicas; `reasons` (v5) maps each to a failure code.
        case readFailure(consistency: CQLConsistency, received: Int32, blockFor: Int32, failures: Int32, reasons: [CQLFailureReason], dataPresent: Bool)
        case writeFailure(consistency: CQLConsistency, received: Int32, blockFor: Int32, failures: Int32, reasons: [CQLFailureReason], writeType: String)
        case functionFailure(keyspace: String, function: String, argumentTypes: [String])
        case casWriteUnknown(consistency: CQLConsistency, received: Int32, blockFor: Int32)
        /// `table` is empty when a keyspace already exists.
        case alreadyExists(keyspace: String, table: String)
        case unprepared(id: [UInt8])
    }

    public var description: String {
        var text = "\(code) (0x\(String(code.rawValue, radix: 16, uppercase: false).leftPadded(4))): \(message)"
        switch details {
        case .none: break
        case .unavailable(let consistency, let required, let alive):
            text += " [consistency \(consistency), \(alive) of \(required) required replicas alive]"
        case .writeTimeout(let consistency, let received, let blockFor, let writeType, _):
            text += " [consistency \(consistency), \(received) of \(blockFor) acknowledgements, write type \(writeType)]"
        case .readTimeout(let consistency, let received, let blockFor, let dataPresent):
            text += " [consistency \(consistency), \(received) of \(blockFor) responses, data \(dataPresent ? "present" : "missing")]"
        case .readFailure(let consistency, let received, let blockFor, let failures, _, _):
            text += " [consistency \(consistency), \(received) of \(blockFor) responses, \(failures) failed]"
        case .writeFailure(let consistency, let received, let blockFor, let failures, _, let writeType):
            text += " [consistency \(consistency), \(received) of \(blockFor) acknowledgements, \(failures) failed, write type \(writeType)]"
        case .functionFailure(let keyspace, let function, let types):
            text += " [function \(keyspace).\(function)(\(types.joined(separator: ", ")))]"
        case .casWriteUnknown(let consistency, let received, let blockFor):
            text += " [consistency \(consistency), \(received) of \(blockFor) acknowledgements]"
        case .alreadyExists(let keyspace, let table):
            text += table.isEmpty ? " [keyspace \(keyspace)]" : " [table \(keyspace).\(table)]"
        case .unprepared(let id):
            text += " [statement id \(id.map { String($0, radix: 16).leftPadded(2) }.joined())]"
        }
        return text
    }
}

/// One failed replica in a v5 read or write failure.
public struct CQLFailureReason: Sendable, Hashable {
    public var endpoint: CQLInetAddress
    public var code: UInt16
    public init(endpoint: CQLInetAddress, code: UInt16) {
        self.endpoint = endpoint
        self.code = code
    }
}

/// An ERROR message code.
public struct CQLServerErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let serverError = Self(rawValue: 0x0000)
    public static let protocolError = Self(rawValue: 0x000A)
    public static let authenticationError = Self(rawValue: 0x0100)
    public static let unavailable = Self(rawValue: 0x1000)
    public static let overloaded = Self(rawValue: 0x1001)
    public static let isBootstrapping = Self(rawValue: 0x1002)
    public static let truncateError = Self(rawValue: 0x1003)
    public static let writeTimeout = Self(rawValue: 0x1100)
    public static let readTimeout = Self(rawValue: 0x1200)
    public static let readFailure = Self(rawValue: 0x1300)
    public static let functionFailure = Self(rawValue: 0x1400)
    public static let writeFailure = Self(rawValue: 0x1500)
    public static let cdcWriteFailure = Self(rawValue: 0x1600)
    public static let casWriteUnknown = Self(rawValue: 0x1700)
    public static let syntaxError = Self(rawValue: 0x2000)
    public static let unauthorized = Self(rawValue: 0x2100)
    public static let invalid = Self(rawValue: 0x2200)
    public static let configError = Self(rawValue: 0x2300)
    public static let alreadyExists = Self(rawValue: 0x2400)
    public static let unprepared = Self(rawValue: 0x2500)

    public var description: String {
        switch self {
        case .serverError: "server error"
        case .protocolError: "protocol error"
        case .authenticationError: "authentication error"
        case .unavailable: "unavailable"
        case .overloaded: "overloaded"
        case .isBootstrapping: "is bootstrapping"
        case .truncateError: "truncate error"
        case .writeTimeout: "write timeout"
        case .readTimeout: "read timeout"
        case .readFailure: "read failure"
        case .functionFailure: "function failure"
        case .writeFailure: "write failure"
        case .cdcWriteFailure: "CDC write failure"
        case .casWriteUnknown: "CAS write unknown"
        case .syntaxError: "syntax error"
        case .unauthorized: "unauthorized"
        case .invalid: "invalid query"
        case .configError: "configuration error"
        case .alreadyExists: "already exists"
        case .unprepared: "unprepared"
        default: "error"
        }
    }
}

extension CQLServerError {
    /// Decodes an ERROR body for `version` (v5 replaces failure counts with reason maps).
    static func decode(_ body: inout ByteBuffer, version: CQLProtocolVersion) throws(CQLError) -> CQLServerError {
        guard let rawCode = body.readInteger(as: Int32.self), let message = body.readCQLString() else {
            throw .truncated("ERROR code and message")
        }
        let code = CQLServerErrorCode(rawValue: rawCode)
        func int() throws(CQLError) -> Int32 {
            guard let value = body.readInteger(as: Int32.self) else { throw .truncated("\(code) details") }
            return value
        }
        func consistency() throws(CQLError) -> CQLConsistency {
            guard let value = body.readCQLConsistency() else { throw .truncated("\(code) details") }
            return value
        }
        func string() throws(CQLError) -> String {
            guard let value = body.readCQLString() else { throw .truncated("\(code) details") }
            return value
        }
        func failures() throws(CQLError) -> (Int32, [CQLFailureReason]) {
            let count = try int()
            guard version >= .v5 else { return (count, []) }
            var reasons: [CQLFailureReason] = []
            for _ in 0..<max(0, count) {
                guard let endpoint = body.readCQLInetAddress(), let reason = body.readInteger(as: UInt16.self) else {
                    throw .truncated("\(code) reason map")
                }
                reasons.append(CQLFailureReason(endpoint: endpoint, code: reason))
            }
            return (count, reasons)
        }
        let details: Details
        switch code {
        case .unavailable:
            details = .unavailable(consistency: try consistency(), required: try int(), alive: try int())
        case .writeTimeout:
            let (cl, received, blockFor, writeType) = (try consistency(), try int(), try int(), try string())
            let contentions = writeType == "CAS" ? body.readInteger(as: UInt16.self) : nil
            details = .writeTimeout(consistency: cl, received: received, blockFor: blockFor, writeType: writeType, contentions: contentions)
        case .readTimeout:
            let (cl, received, blockFor) = (try consistency(), try int(), try int())
            guard let present = body.readInteger(as: UInt8.self) else { throw .truncated("\(code) details") }
            details = .readTimeout(consistency: cl, received: received, blockFor: blockFor, dataPresent: present != 0)
        case .readFailure:
            let (cl, received, blockFor) = (try consistency(), try int(), try int())
            let (count, reasons) = try failures()
            guard let present = body.readInteger(as: UInt8.self) else { throw .truncated("\(code) details") }
            details = .readFailure(consistency: cl, received: received, blockFor: blockFor, failures: count, reasons: reasons, dataPresent: present != 0)
        case .writeFailure:
            let (cl, received, blockFor) = (try consistency(), try int(), try int())
            let (count, reasons) = try failures()
            details = .writeFailure(consistency: cl, received: received, blockFor: blockFor, failures: count, reasons: reasons, writeType: try string())
        case .functionFailure:
            let (keyspace, function) = (try string(), try string())
            guard let types = body.readCQLStringList() else { throw .truncated("\(code) details") }
            details = .functionFailure(keyspace: keyspace, function: function, argumentTypes: types)
        case .casWriteUnknown:
            details = .casWriteUnknown(consistency: try consistency(), received: try int(), blockFor: try int())
        case .alreadyExists:
            details = .alreadyExists(keyspace: try string(), table: try string())
        case .unprepared:
            guard let id = body.readCQLShortBytes() else { throw .truncated("\(code) details") }
            details = .unprepared(id: id)
        default:
            details = .none
        }
        return CQLServerError(code: code, message: message, details: details)
    }

    /// Writes an ERROR body (for scripted peers in tests and for symmetry with `decode`).
    public func encode(into body: inout ByteBuffer, version: CQLProtocolVersion) {
        body.writeInteger(code.rawValue)
        body.writeCQLString(message)
        func reasonsOrCount(_ count: Int32, _ reasons: [CQLFailureReason]) {
            if version >= .v5 {
                body.writeInteger(Int32(reasons.count))
                for reason in reasons {
                    body.writeCQLInetAddress(reason.endpoint)
                    body.writeInteger(reason.code)
                }
            } else {
                body.writeInteger(count)
            }
        }
        switch details {
        case .none: break
        case .unavailable(let cl, let required, let alive):
            body.writeCQLConsistency(cl); body.writeInteger(required); body.writeInteger(alive)
        case .writeTimeout(let cl, let received, let blockFor, let writeType, let contentions):
            body.writeCQLConsistency(cl); body.writeInteger(received); body.writeInteger(blockFor); body.writeCQLString(writeType)
            if let contentions { body.writeInteger(contentions) }
        case .readTimeout(let cl, let received, let blockFor, let present):
            body.writeCQLConsistency(cl); body.writeInteger(received); body.writeInteger(blockFor); body.writeInteger(UInt8(present ? 1 : 0))
        case .readFailure(let cl, let received, let blockFor, let count, let reasons, let present):
            body.writeCQLConsistency(cl); body.writeInteger(received); body.writeInteger(blockFor)
            reasonsOrCount(count, reasons)
            body.writeInteger(UInt8(present ? 1 : 0))
        case .writeFailure(let cl, let received, let blockFor, let count, let reasons, let writeType):
            body.writeCQLConsistency(cl); body.writeInteger(received); body.writeInteger(blockFor)
            reasonsOrCount(count, reasons)
            body.writeCQLString(writeType)
        case .functionFailure(let keyspace, let function, let types):
            body.writeCQLString(keyspace); body.writeCQLString(function); body.writeCQLStringList(types)
        case .casWriteUnknown(let cl, let received, let blockFor):
            body.writeCQLConsistency(cl); body.writeInteger(received); body.writeInteger(blockFor)
        case .alreadyExists(let keyspace, let table):
            body.writeCQLString(keyspace); body.writeCQLString(table)
        case .unprepared(let id):
            body.writeCQLShortBytes(id)
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
