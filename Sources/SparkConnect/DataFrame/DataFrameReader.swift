/// Reads a data source as a DataFrame, in batch or as a stream.
public struct DataFrameReader: Sendable {
    let session: SparkSession
    let isStreaming: Bool
    private var source: String?
    private var schemaString = ""
    private var options: [String: String] = [:]

    init(session: SparkSession, isStreaming: Bool) {
        self.session = session
        self.isStreaming = isStreaming
    }

    /// The source format: `kafka`, `json`, `parquet`, `rate`, ….
    public func format(_ source: String) -> DataFrameReader {
        var copy = self
        copy.source = source
        return copy
    }

    /// A source option.
    public func option(_ key: String, _ value: String) -> DataFrameReader {
        var copy = self
        copy.options[key] = value
        return copy
    }

    /// Source options.
    public func options(_ options: [String: String]) -> DataFrameReader {
        var copy = self
        copy.options.merge(options) { $1 }
        return copy
    }

    /// The schema of the data, as a struct type.
    public func schema(_ schema: StructType) -> DataFrameReader {
        self.schema(schema.json)
    }

    /// The schema of the data, as DDL (`"id STRING, n INT"`) or Spark JSON.
    public func schema(_ schema: String) -> DataFrameReader {
        var copy = self
        copy.schemaString = schema
        return copy
    }

    /// The DataFrame of the source, reading `paths` when given.
    public func load(_ paths: String...) -> DataFrame {
        var dataSource = Spark_Connect_Read.DataSource()
        if let source { dataSource.format = source }
        dataSource.schema = schemaString
        dataSource.options = options
        dataSource.paths = paths
        var read = Spark_Connect_Read()
        read.dataSource = dataSource
        read.isStreaming = isStreaming
        return DataFrame(session: session, relation: session.relation { $0.read = read })
    }
}
