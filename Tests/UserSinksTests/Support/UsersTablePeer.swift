import CQL
import CQLTestSupport
import Foundation
@testable import UserContract
@testable import Retry
@testable import UserSinks

/// Scripts for `ScriptedCQLPeer` (a scripted protocol peer, not Cassandra) that answer the way a
/// node holding `spark_streams.created_users` would: PREPARE with the table's column types,
/// EXECUTE and DDL from the test's rules, SELECT from given pages.
enum UsersTable {
    /// The seed's table: `id uuid`, everything else text.
    static let allText: [CQLColumn] = columns { $0 == "id" ? .uuid : .text }

    /// A table whose dates are timestamps.
    static let timestampDates: [CQLColumn] = columns { name in
        switch name {
        case "id": .uuid
        case "dob", "registered_date": .timestamp
        default: .text
        }
    }

    static func columns(_ type: (String) -> CQLDataType) -> [CQLColumn] {
        User.CodingKeys.allCases.map { CQLColumn(keyspace: "spark_streams", table: "created_users", name: $0.rawValue, type: type($0.rawValue)) }
    }

    static let statementID: [UInt8] = [0x5E, 0xED]

    /// Answers PREPARE with `columns` as bind variables, EXECUTE with `execute`, anything else with `other`.
    static func script(columns: [CQLColumn] = allText,
                       execute: @escaping @Sendable (ScriptedCQLPeer.Request) -> ScriptedCQLPeer.Reply = { _ in .void },
                       other: @escaping @Sendable (ScriptedCQLPeer.Request) -> ScriptedCQLPeer.Reply = { _ in .void })
        -> @Sendable (ScriptedCQLPeer.Request) -> ScriptedCQLPeer.Reply {
        { request in
            switch request.opcode {
            case .prepare:
                .frame { CQLResponseWriter.prepared(id: statementID, bindVariables: columns, stream: $0, version: $1) }
            case .execute:
                execute(request)
            default:
                other(request)
            }
        }
    }

    /// Acknowledges each EXECUTE only once `gate` opens.
    static func acknowledge(when gate: ReplyGate) -> @Sendable (ScriptedCQLPeer.Request) -> ScriptedCQLPeer.Reply {
        { _ in .held(gate) { CQLResponseWriter.void(stream: $0, version: $1) } }
    }

    /// A sink configuration for a peer, with quick retries and no peer discovery.
    static func configuration(_ peer: ScriptedCQLPeer, consistency: CQLConsistency = .localOne, maximumInFlight: Int = 64,
                              attempts: Int = 4, credentials: CQLCredentials? = nil, pageSize: Int32 = 1000) -> CassandraSinkConfiguration {
        CassandraSinkConfiguration(contactPoints: [peer.contactPoint], credentials: credentials, consistency: consistency,
                                   maximumInFlight: maximumInFlight,
                                   retry: RetryPolicy(maxAttempts: attempts, initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(2)),
                                   pageSize: pageSize, requestTimeout: .seconds(10), discoversPeers: false)
    }

    /// Each EXECUTE's twelve cells in contract order (missing or null cells as empty).
    static func executedCells(_ peer: ScriptedCQLPeer) -> [[[UInt8]]] {
        executedRows(peer).map { row in User.CodingKeys.allCases.map { row[$0.rawValue].flatMap { $0 } ?? [] } }
    }

    /// The cells each user's INSERT must carry into the all-text table: the id as 16 uuid bytes, the rest as UTF-8.
    static func allTextCells(_ users: [User]) -> Set<[[UInt8]]> {
        Set(users.map { user in User.CodingKeys.allCases.map { $0 == .id ? SampleUsers.uuidBytes(user.id) : Array(user[$0].utf8) } })
    }

    /// The EXECUTEs the peer received, as column name → raw cell, in bind-variable order of `columns`.
    static func executedRows(_ peer: ScriptedCQLPeer, columns: [CQLColumn] = allText) -> [[String: [UInt8]?]] {
        peer.requests.filter { $0.opcode == .execute }.map { request in
            Dictionary(uniqueKeysWithValues: zip(columns.map(\.name), request.values))
        }
    }
}

/// Users for tests: distinct ids, the seed's ISO-8601 dates.
enum SampleUsers {
    static func make(_ count: Int, dob: String = "1990-05-01T12:00:00.000Z", registered: String = "2001-09-09T01:46:40.000Z") -> [User] {
        (0..<count).map { (index: Int) -> User in
            let id: String = String(format: "3f2504e0-4f89-11d3-9a0c-%012x", index + 1)
            let gender: String = index % 2 == 0 ? "female" : "male"
            let address: String = "\(index) Main Street, Springfield, Oregon, United States"
            let phone: String = "(555) 010-\(1000 + index)"
            return User(id: id, firstName: "First\(index)", lastName: "Last\(index)", gender: gender, address: address,
                        postCode: String(97_000 + index), email: "user\(index)@example.com", username: "user\(index)",
                        dob: dob, registeredDate: registered, phone: phone, picture: "https://example.com/\(index).jpg")
        }
    }

    /// The 16 bytes of a UUID text, independently of the code under test.
    static func uuidBytes(_ text: String) -> [UInt8] {
        let hex = text.replacingOccurrences(of: "-", with: "")
        return stride(from: 0, to: 32, by: 2).map { UInt8(hex[hex.index(hex.startIndex, offsetBy: $0)..<hex.index(hex.startIndex, offsetBy: $0 + 2)], radix: 16)! }
    }
}
