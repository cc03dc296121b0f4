import Foundation
import GRPCCore
import GRPCProtobuf

/// What one ExecutePlan call returned, gathered from its response stream.
struct ExecutionResult: Sendable {
    var rows: [Row] = []
    var columns: [String] = []
    var writeStreamStart: Spark_Connect_WriteStreamOperationStartResult?
    var streamingQuery: Spark_Connect_StreamingQueryCommandResult?
    var streamingQueryManager: Spark_Connect_StreamingQueryManagerCommandResult?
}

extension SparkSession {
    /// Runs a plan and gathers its results (Arrow batches are decoded into rows).
    func execute(_ plan: Spark_Connect_Plan) async throws(SparkConnectError) -> ExecutionResult {
        var request = Spark_Connect_ExecutePlanRequest()
        request.sessionID = sessionID
        request.userContext = userContext
        request.clientType = clientType
        request.operationID = UUID().uuidString.lowercased()
        request.plan = plan
        let metadata = self.metadata
        var options = CallOptions.defaults
        // Spark sends Arrow batches of up to 4 MiB by default; the gRPC default cap is 4 MiB
        // for the whole message, so leave room for the envelope.
        options.maxResponseMessageBytes = 128 << 20
        let outcome: Result<ExecutionResult, SparkConnectError> = try await call {
            try await self.service.executePlan(request, metadata: metadata, options: options) { response in
                var result = ExecutionResult()
                var reader = ArrowStreamReader()
                for try await message in response.messages {
                    switch message.responseType {
                    case .arrowBatch(let batch):
                        do {
                            result.rows += try reader.read([UInt8](batch.data))
                        } catch let error as ArrowDecodingError {
                            return .failure(.arrow(error))
                        }
                        result.columns = reader.columns
                    case .writeStreamOperationStartResult(let started):
                        result.writeStreamStart = started
                    case .streamingQueryCommandResult(let query):
                        result.streamingQuery = query
                    case .streamingQueryManagerCommandResult(let manager):
                        result.streamingQueryManager = manager
                    default:
                        continue  // metrics, progress and completion markers
                    }
                }
                return .success(result)
            }
        }
        return try outcome.get()
    }

    /// Runs one AnalyzePlan request.
    func analyze(_ request: Spark_Connect_AnalyzePlanRequest) async throws(SparkConnectError) -> Spark_Connect_AnalyzePlanResponse {
        let metadata = self.metadata
        return try await call { try await self.service.analyzePlan(request, metadata: metadata) }
    }

    /// An AnalyzePlan request for this session, without its question.
    func analyzeRequest() -> Spark_Connect_AnalyzePlanRequest {
        var request = Spark_Connect_AnalyzePlanRequest()
        request.sessionID = sessionID
        request.userContext = userContext
        request.clientType = clientType
        return request
    }

    /// Runs an RPC and turns gRPC failures into `SparkConnectError`s, fetching Spark's error
    /// details (error class, message) when the server names an error id.
    func call<T: Sendable>(_ body: () async throws -> T) async throws(SparkConnectError) -> T {
        do {
            return try await body()
        } catch let error as SparkConnectError {
            throw error
        } catch let error as RPCError {
            throw await translate(error)
        } catch {
            throw .unexpectedResponse("\(error)")
        }
    }

    private func translate(_ error: RPCError) async -> SparkConnectError {
        if error.code == .unavailable {
            return .unreachable(address: address.description, detail: error.message)
        }
        let info = (try? error.unpackGoogleRPCStatus())?.details.lazy.compactMap(\.errorInfo).first
        let errorClass = info?.metadata["errorClass"]
        let sqlState = info?.metadata["sqlState"]
        if let errorID = info?.metadata["errorId"], let details = await fetchErrorDetails(errorID) {
            return details
        }
        return .server(errorClass: errorClass, message: error.message, sqlState: sqlState)
    }

    /// Spark's own description of the error `errorID`, or nil when the server has none.
    private func fetchErrorDetails(_ errorID: String) async -> SparkConnectError? {
        var request = Spark_Connect_FetchErrorDetailsRequest()
        request.sessionID = sessionID
        request.userContext = userContext
        request.clientType = clientType
        request.errorID = errorID
        guard let response = try? await service.fetchErrorDetails(request, metadata: metadata),
              !response.errors.isEmpty
        else { return nil }
        let root = response.hasRootErrorIdx ? Int(response.rootErrorIdx) : 0
        guard response.errors.indices.contains(root) else { return nil }
        let error = response.errors[root]
        let throwable = error.hasSparkThrowable ? error.sparkThrowable : nil
        return .server(
            errorClass: throwable.flatMap { $0.hasErrorClass ? $0.errorClass : nil },
            message: error.message,
            sqlState: throwable.flatMap { $0.hasSqlState ? $0.sqlState : nil }
        )
    }
}
