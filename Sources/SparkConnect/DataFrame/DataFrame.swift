/// A lazily evaluated relation on a Spark Connect server.
public struct DataFrame: Sendable {
    /// The session the DataFrame belongs to.
    public let session: SparkSession
    let relation: Spark_Connect_Relation

    init(session: SparkSession, relation: Spark_Connect_Relation) {
        self.session = session
        self.relation = relation
    }

    /// The rows produced by SQL expressions (`"CAST(value AS STRING)"`).
    public func selectExpr(_ expressions: String...) -> DataFrame {
        select(expressions.map(Column.expr))
    }

    /// The given columns; names are columns, `name.*` expands a struct.
    public func select(_ columns: String...) -> DataFrame {
        select(columns.map(Column.col))
    }

    /// The given column expressions.
    public func select(_ columns: Column...) -> DataFrame {
        select(columns)
    }

    /// The given column expressions.
    public func select(_ columns: [Column]) -> DataFrame {
        var project = Spark_Connect_Project()
        project.input = relation
        project.expressions = columns.map(\.expression)
        return DataFrame(session: session, relation: session.relation { $0.project = project })
    }

    /// The rows for which the SQL condition holds.
    public func filter(_ condition: String) -> DataFrame {
        filter(Column.expr(condition))
    }

    /// The rows for which `condition` holds.
    public func filter(_ condition: Column) -> DataFrame {
        var filter = Spark_Connect_Filter()
        filter.input = relation
        filter.condition = condition.expression
        return DataFrame(session: session, relation: session.relation { $0.filter = filter })
    }

    /// The plan that evaluates this DataFrame.
    public var plan: Spark_Connect_Plan {
        var plan = Spark_Connect_Plan()
        plan.root = relation
        return plan
    }

    /// Runs the query and returns its rows; meant for small results.
    public func collect() async throws(SparkConnectError) -> [Row] {
        try await session.execute(plan).rows
    }

    /// The schema the server resolves for this DataFrame.
    public func schema() async throws(SparkConnectError) -> StructType {
        var request = session.analyzeRequest()
        var schema = Spark_Connect_AnalyzePlanRequest.Schema()
        schema.plan = plan
        request.schema = schema
        let response = try await session.analyze(request)
        guard case .schema(let result) = response.result else {
            throw .unexpectedResponse("AnalyzePlan returned no schema")
        }
        return StructType(result.schema)
    }

    /// A writer that starts a streaming query from this (streaming) DataFrame.
    public var writeStream: DataStreamWriter { DataStreamWriter(input: self) }
}
