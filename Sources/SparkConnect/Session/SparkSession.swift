import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import Synchronization

/// A session on a Spark Connect server; the entry point for DataFrames and streams.
///
/// Create one with `SparkSession(remote:)` and `close()` it when done, or use
/// `withSparkSession(remote:_:)`.
public final class SparkSession: Sendable {
    /// The server's address.
    public let address: RemoteAddress
    /// The session's id; pass it back as `session_id` in the address to rejoin the session.
    public let sessionID: String
    let userContext: Spark_Connect_UserContext
    let clientType: String
    let service: Spark_Connect_SparkConnectService.Client<HTTP2ClientTransport.Posix>
    private let client: GRPCClient<HTTP2ClientTransport.Posix>
    private let connections: Task<Void, Never>
    // Relations are numbered in creation order, as Spark's own clients do, so that columns
    // can be tied to the DataFrame they came from.
    private let nextPlanID = Mutex<Int64>(0)

    /// Opens a session to `sc://host:port[/;token=…;user_id=…;session_id=…]` (plaintext HTTP/2).
    public init(remote: String) throws(SparkConnectError) {
        let address = try RemoteAddress(remote)
        self.address = address
        if let given = address.sessionID {
            guard UUID(uuidString: given) != nil else {
                throw .badAddress(remote, reason: "session_id \(given) is not a UUID")
            }
            sessionID = given.lowercased()
        } else {
            sessionID = UUID().uuidString.lowercased()
        }
        var user = Spark_Connect_UserContext()
        user.userID = address.userID ?? ProcessInfo.processInfo.environment["USER"] ?? "userstream"
        user.userName = user.userID
        userContext = user
        clientType = address.userAgent ?? "userstream"
        let transport: HTTP2ClientTransport.Posix
        do {
            transport = try HTTP2ClientTransport.Posix(
                target: .dns(host: address.host, port: address.port),
                transportSecurity: .plaintext
            )
        } catch {
            throw .unreachable(address: address.description, detail: "\(error)")
        }
        let client = GRPCClient(transport: transport)
        self.client = client
        service = Spark_Connect_SparkConnectService.Client(wrapping: client)
        // Stored, not a child: the session outlives its initializer, and close() awaits it.
        connections = Task { try? await client.runConnections() }
    }

    /// Ends the connection (the server keeps the session until it expires, so queries go on).
    public func close() async {
        client.beginGracefulShutdown()
        await connections.value
    }

    /// A fresh plan id for a new relation.
    func planID() -> Int64 {
        nextPlanID.withLock { next in
            defer { next += 1 }
            return next
        }
    }

    /// Request metadata: the bearer token when the address carries one.
    var metadata: Metadata {
        var metadata: Metadata = [:]
        if let token = address.token { metadata.addString("Bearer \(token)", forKey: "authorization") }
        return metadata
    }

    // MARK: DataFrames

    /// The result of a SQL query.
    public func sql(_ query: String) -> DataFrame {
        var sql = Spark_Connect_SQL()
        sql.query = query
        return DataFrame(session: self, relation: relation { $0.sql = sql })
    }

    /// Numbers from `start` to `end` (exclusive) by `step`, in a column named `id`.
    public func range(_ start: Int64 = 0, _ end: Int64, step: Int64 = 1) -> DataFrame {
        var range = Spark_Connect_Range()
        range.start = start
        range.end = end
        range.step = step
        return DataFrame(session: self, relation: relation { $0.range = range })
    }

    /// A batch reader for a data source.
    public var read: DataFrameReader { DataFrameReader(session: self, isStreaming: false) }

    /// A streaming reader for a data source.
    public var readStream: DataFrameReader { DataFrameReader(session: self, isStreaming: true) }

    /// A new relation with the next plan id.
    func relation(_ body: (inout Spark_Connect_Relation) -> Void) -> Spark_Connect_Relation {
        var relation = Spark_Connect_Relation()
        relation.common.planID = planID()
        body(&relation)
        return relation
    }

    /// The version of Spark the server runs.
    public func version() async throws(SparkConnectError) -> String {
        var request = analyzeRequest()
        request.sparkVersion = Spark_Connect_AnalyzePlanRequest.SparkVersion()
        return try await analyze(request).sparkVersion.version
    }
}

/// Runs `body` with a session to `remote` and closes it afterwards.
public func withSparkSession<Result: Sendable>(
    remote: String,
    _ body: (SparkSession) async throws -> Result
) async throws -> Result {
    let session = try SparkSession(remote: remote)
    do {
        let result = try await body(session)
        await session.close()
        return result
    } catch {
        await session.close()
        throw error
    }
}
