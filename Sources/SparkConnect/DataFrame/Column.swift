/// A column expression, built without a server.
public struct Column: Sendable {
    let expression: Spark_Connect_Expression

    init(_ expression: Spark_Connect_Expression) {
        self.expression = expression
    }

    /// A column by name; `name.*` expands a struct's fields and `*` means every column.
    public static func col(_ name: String) -> Column {
        var expression = Spark_Connect_Expression()
        if name == "*" {
            expression.unresolvedStar = Spark_Connect_Expression.UnresolvedStar()
        } else if name.hasSuffix(".*") {
            var star = Spark_Connect_Expression.UnresolvedStar()
            star.unparsedTarget = name
            expression.unresolvedStar = star
        } else {
            var attribute = Spark_Connect_Expression.UnresolvedAttribute()
            attribute.unparsedIdentifier = name
            attribute.isMetadataColumn = false
            expression.unresolvedAttribute = attribute
        }
        return Column(expression)
    }

    /// A SQL expression, parsed by the server (`"CAST(value AS STRING)"`).
    public static func expr(_ sql: String) -> Column {
        var expression = Spark_Connect_Expression()
        var string = Spark_Connect_Expression.ExpressionString()
        string.expression = sql
        expression.expressionString = string
        return Column(expression)
    }

    /// A string literal.
    public static func lit(_ value: String) -> Column {
        var expression = Spark_Connect_Expression()
        var literal = Spark_Connect_Expression.Literal()
        literal.string = value
        expression.literal = literal
        return Column(expression)
    }

    /// A call of the Spark SQL function `name`.
    public static func function(_ name: String, _ arguments: Column...) -> Column {
        var call = Spark_Connect_Expression.UnresolvedFunction()
        call.functionName = name
        call.arguments = arguments.map(\.expression)
        var expression = Spark_Connect_Expression()
        expression.unresolvedFunction = call
        return Column(expression)
    }

    /// Parses the JSON strings of `column` with `schema` into a struct column.
    public static func fromJSON(_ column: Column, schema: StructType) -> Column {
        function("from_json", column, lit(schema.json))
    }

    /// This column renamed.
    public func alias(_ name: String) -> Column {
        var alias = Spark_Connect_Expression.Alias()
        alias.expr = expression
        alias.name = [name]
        var expression = Spark_Connect_Expression()
        expression.alias = alias
        return Column(expression)
    }
}
