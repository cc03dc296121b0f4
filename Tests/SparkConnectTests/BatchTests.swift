import Testing
@testable import SparkConnect
import SparkConnectTestSupport

@Suite(.enabled(if: SparkServer.available, "needs SPARK_REMOTE; run scripts/test.sh, which starts one"))
struct BatchTests {
    static let someUserFields = StructType(["id", "first_name", "email", "dob"].map { StructField($0, .string, nullable: false) })

    @Test func rangeCollectsItsNumbers() async throws {
        let rows = try await withSparkSession(remote: SparkServer.remote!) { session in
            try await session.range(0, 5).collect()
        }
        #expect(rows.map { $0["id"] } == [0, 1, 2, 3, 4].map { SparkValue.int64($0) })
    }

    @Test func sqlReturnsEveryColumnType() async throws {
        let rows = try await withSparkSession(remote: SparkServer.remote!) { session in
            try await session.sql("""
                SELECT * FROM VALUES
                  (1, CAST(10 AS BIGINT), 1.5D, 'ana', true),
                  (2, NULL, NULL, NULL, NULL),
                  (3, CAST(-7 AS BIGINT), -0.25D, 'ünïcode', false)
                AS t(n, big, real, name, flag) ORDER BY n
                """).collect()
        }
        #expect(rows.count == 3)
        #expect(rows[0].values == [.int32(1), .int64(10), .double(1.5), .string("ana"), .bool(true)])
        #expect(rows[1].values == [.int32(2), .null, .null, .null, .null])
        #expect(rows[2].values == [.int32(3), .int64(-7), .double(-0.25), .string("ünïcode"), .bool(false)])
        #expect(rows[0].columns == ["n", "big", "real", "name", "flag"])
    }

    @Test func filterAndSelectExprShapeTheResult() async throws {
        let rows = try await withSparkSession(remote: SparkServer.remote!) { session in
            try await session.range(0, 10).filter("id % 3 = 0").selectExpr("id * 2 AS doubled").collect()
        }
        #expect(rows.map { $0["doubled"] } == [0, 6, 12, 18].map { SparkValue.int64($0) })
    }

    @Test func fromJSONParsesUserRecords() async throws {
        let rows = try await withSparkSession(remote: SparkServer.remote!) { session in
            try await session.sql("""
                SELECT * FROM VALUES
                  ('{"id":"7d2c","first_name":"Ana","last_name":"Lee","gender":"female","address":"1 Main St","post_code":"1000","email":"ana@example.com","username":"ana1","dob":"1990-01-02","registered_date":"2020-03-04","phone":"555","picture":"p.jpg"}'),
                  ('{"id":"9f00","first_name":"Bo"}')
                AS t(value)
                """)
                .select(Column.fromJSON(.col("value"), schema: Self.someUserFields).alias("data"))
                .select("data.*")
                .collect()
        }
        #expect(rows.count == 2)
        #expect(rows[0].columns == Self.someUserFields.fieldNames)
        #expect(rows[0]["email"] == .string("ana@example.com"))
        #expect(rows[0]["dob"] == .string("1990-01-02"))
        #expect(rows[1]["first_name"] == .string("Bo"))
        #expect(rows[1]["email"] == .null)
    }

    @Test func schemaComesFromTheServer() async throws {
        let schema = try await withSparkSession(remote: SparkServer.remote!) { session in
            try await session.sql("SELECT 1 AS n, 'x' AS s, CAST(2 AS BIGINT) AS b").schema()
        }
        #expect(schema.fields.map(\.name) == ["n", "s", "b"])
        #expect(schema.fields.map(\.dataType) == [.integer, .string, .long])
    }

    @Test func badSQLComesBackAsAClearError() async throws {
        let error = await #expect(throws: SparkConnectError.self) {
            try await withSparkSession(remote: SparkServer.remote!) { session in
                try await session.sql("SELECT no_such_column FROM range(1)").collect()
            }
        }
        guard case .server(let errorClass, let message, _) = error else {
            Issue.record("expected a server error, got \(String(describing: error))")
            return
        }
        #expect(errorClass == "UNRESOLVED_COLUMN.WITH_SUGGESTION")
        #expect(message.contains("no_such_column"))
    }
}

@Suite(.enabled(if: SparkServer.available, "needs SPARK_REMOTE; run scripts/test.sh, which starts one"))
struct LargeBatchTests {
    @Test func collectsBatchesNearSparksFourMebibyteLimit() async throws {
        let rows = try await withSparkSession(remote: SparkServer.remote!) { session in
            try await session.range(0, 200_000).selectExpr("id", "repeat('x', 16) AS s").collect()
        }
        #expect(rows.count == 200_000)
        #expect(rows.last?.values == [.int64(199_999), .string(String(repeating: "x", count: 16))])
    }
}
