import Foundation
import NIOCore
import Testing
@testable import CQL
import CQLTestSupport

/// Compares this module's bytes and decoded values with the DataStax Python driver's own
/// message classes and serializers (tests/cql/driver_crosscheck.py). No server is involved.
@Suite("Cross-check with the DataStax Python driver")
struct PythonDriverCrossCheckTests {
    static let userID = UUID(uuidString: "3f2504e0-4f89-11d3-9a0c-0305e82c3301")!

    /// The values driver_crosscheck.py serializes, by name.
    static let values: [String: CQLValue] = [
        "ascii": .ascii("hello"),
        "text": .text("Zoë Ångström"),
        "uuid": .uuid(userID),
        "timeuuid": .timeuuid(UUID(uuidString: "d2177dd0-eaa2-11de-a572-001b779c76e3")!),
        "int": .int(-123456),
        "bigint": .bigint(9007199254740993),
        "smallint": .smallint(-300),
        "tinyint": .tinyint(-7),
        "boolean_true": .boolean(true),
        "boolean_false": .boolean(false),
        "float": .float(1.5),
        "double": .double(-2.25),
        "timestamp": try! CQLValue.text("1990-05-01T12:00:00.000Z").bound(to: .timestamp),
        "timestamp_before_epoch": try! CQLValue.text("1969-12-31T23:59:59.999Z").bound(to: .timestamp),
        "date": try! CQLValue.text("1990-05-01").bound(to: .date),
        "date_before_epoch": try! CQLValue.text("1900-01-01").bound(to: .date),
        "time": try! CQLValue.text("12:30:15.25").bound(to: .time),
        "blob": .blob([0x00, 0x01, 0xFE, 0xFF]),
        "inet4": .inet(CQLInetAddress("192.168.1.20")!),
        "inet6": .inet(CQLInetAddress("2001:db8::1")!),
        "varint_0": .varint(0),
        "varint_127": .varint(127),
        "varint_128": .varint(128),
        "varint_m1": .varint(-1),
        "varint_m128": .varint(-128),
        "varint_m129": .varint(-129),
        "varint_big": .varint(CQLVarint("123456789012345678901234567890")!),
        "varint_big_negative": .varint(CQLVarint("-98765432109876543210987654321")!),
        "decimal": .decimal(CQLDecimal("123.45")!),
        "decimal_negative_small": .decimal(CQLDecimal("-0.001")!),
        "decimal_big": .decimal(CQLDecimal("12345678901234567890.123456789")!),
        "list_text": .list(["a", "bc", ""].map(CQLValue.text)),
        "set_int": .set([1, 2, 3].map(CQLValue.int)),
        "map_text_int": .map([CQLMapEntry(key: .text("one"), value: .int(1)), CQLMapEntry(key: .text("two"), value: .int(2))]),
        "tuple_int_text": .tuple([.int(7), .text("seven")]),
    ]

    /// The request frames driver_crosscheck.py builds, by name.
    static var requests: [String: CQLFrame] {
        let startup = CQLRequest.startup(options: ["CQL_VERSION": "3.0.0", "DRIVER_NAME": "userstream CQL"])
        let select = "SELECT * FROM spark_streams.created_users WHERE id = ?"
        let selectParameters = CQLQueryParameters(consistency: .localOne, values: [.uuid(userID)], pageSize: 100, pagingState: [1, 2, 3],
                                                  serialConsistency: .localSerial, defaultTimestamp: 1_700_000_000_000_000)
        let insert = "INSERT INTO spark_streams.created_users (id, first_name, dob) VALUES (?, ?, ?)"
        let executeParameters = CQLQueryParameters(consistency: .quorum, values: [
            .uuid(userID), .text("Ada"), try! CQLValue.text("1990-05-01T12:00:00.000Z").bound(to: .timestamp), .null,
        ])  // the driver's ExecuteMessage never sets Skip_metadata, so neither does this comparison
        let statements: [CQLBatch.Statement] = [
            .query("INSERT INTO ks.t (k, v) VALUES (?, ?)", values: [.int(1), .text("one")]),
            .prepared(id: [0xCA, 0xFE], values: [.uuid(userID), .null]),
        ]
        return [
            "options_v4": CQLRequest.options.frame(stream: 0, version: .v4),
            "startup_v4": startup.frame(stream: 0, version: .v4),
            "startup_v5": startup.frame(stream: 0, version: .v5),
            "auth_response_v4": CQLRequest.authResponse(token: CQLCredentials(username: "cassandra", password: "s3cret").plainToken).frame(stream: 0, version: .v4),
            "query_values_v4": CQLRequest.query(select, selectParameters).frame(stream: 7, version: .v4),
            "query_values_v5": CQLRequest.query(select, selectParameters).frame(stream: 7, version: .v5),
            "query_plain_v4": CQLRequest.query("SELECT release_version FROM system.local", CQLQueryParameters(consistency: .one)).frame(stream: 1, version: .v4),
            "prepare_v4": CQLRequest.prepare(insert).frame(stream: 3, version: .v4),
            "prepare_v5": CQLRequest.prepare(insert).frame(stream: 3, version: .v5),
            "execute_v4": CQLRequest.execute(id: [0xCA, 0xFE, 0xBA, 0xBE], resultMetadataID: nil, executeParameters).frame(stream: 300, version: .v4),
            "execute_v5": CQLRequest.execute(id: [0xCA, 0xFE, 0xBA, 0xBE], resultMetadataID: [0x0B, 0x0C], executeParameters).frame(stream: 300, version: .v5),
            "execute_paged_v4": CQLRequest.execute(id: [0x01], resultMetadataID: nil,
                                                   CQLQueryParameters(consistency: .localQuorum, values: [], pageSize: 2, pagingState: [0xAA, 0xBB])).frame(stream: 32767, version: .v4),
            "batch_unlogged_v4": CQLRequest.batch(CQLBatch(kind: .unlogged, statements: statements, consistency: .localOne)).frame(stream: 9, version: .v4),
            "batch_logged_v4": CQLRequest.batch(CQLBatch(kind: .logged, statements: statements, consistency: .quorum, serialConsistency: .serial,
                                                         defaultTimestamp: 1_700_000_000_000_001)).frame(stream: 10, version: .v4),
            "batch_counter_v5": CQLRequest.batch(CQLBatch(kind: .counter, statements: [.query("UPDATE ks.c SET n = n + 1 WHERE k = 1", values: [])],
                                                          consistency: .one)).frame(stream: 11, version: .v5),
        ]
    }

    static var segmentPayloads: [String: [UInt8]] {
        [
            "segment_empty": [],
            "segment_options": CQLResponseWriter.bytes(CQLRequest.options.frame(stream: 0, version: .v5)),
            "segment_large": (0..<200_000).map { UInt8($0 % 251) },
        ]
    }

    static func driverEncodings() async throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: try await PythonDriver.run("encode"))
    }

    @Test("values serialize to the driver's bytes")
    func valuesMatch() async throws {
        let expected = try await Self.driverEncodings()
        for (name, value) in Self.values {
            var buffer = ByteBuffer()
            buffer.writeCQLValueContent(value)
            #expect(Array(buffer.readableBytesView).hex == expected["value_" + name], "value \(name)")
        }
        #expect(expected.keys.filter { $0.hasPrefix("value_") }.count == Self.values.count)
    }

    @Test("STARTUP, AUTH_RESPONSE, QUERY, PREPARE, EXECUTE and BATCH frames match the driver's bytes")
    func requestsMatch() async throws {
        let expected = try await Self.driverEncodings()
        for (name, frame) in Self.requests {
            #expect(CQLResponseWriter.bytes(frame).hex == expected[name], "request \(name)")
        }
    }

    @Test("v5 segments (CRC24 header, CRC32 payload, split large payloads) match the driver's SegmentCodec")
    func segmentsMatch() async throws {
        let expected = try await Self.driverEncodings()
        for (name, payload) in Self.segmentPayloads {
            var out = ByteBuffer()
            CQLSegmentEncoder().encode(envelopes: ByteBuffer(bytes: payload), into: &out)
            let hex = Array(out.readableBytesView).hex
            #expect(hex == expected[name], "segment \(name) (\(hex.count / 2) bytes vs \((expected[name]?.count ?? 0) / 2))")
        }
    }

    // MARK: decoding

    static let allTypesColumns: [CQLColumn] = ([
        ("id", CQLDataType.uuid), ("name", .text), ("code", .ascii), ("n", .int), ("big", .bigint), ("small", .smallint), ("tiny", .tinyint),
        ("flag", .boolean), ("f", .float), ("d", .double), ("born", .timestamp), ("day", .date), ("at", .time), ("raw", .blob),
        ("ip", .inet), ("huge", .varint), ("money", .decimal), ("tags", .list(.text)), ("nums", .set(.int)),
        ("scores", .map(.text, .int)), ("pair", .tuple([.int, .text])), ("tu", .timeuuid), ("gone", .text),
    ] as [(String, CQLDataType)]).map { CQLColumn(keyspace: "spark_streams", table: "created_users", name: $0.0, type: $0.1) }

    static var allTypesRow: [CQLValue] {
        let v = values
        return [v["uuid"]!, v["text"]!, v["ascii"]!, v["int"]!, v["bigint"]!, v["smallint"]!, v["tinyint"]!, v["boolean_true"]!,
                v["float"]!, v["double"]!, v["timestamp_before_epoch"]!, v["date_before_epoch"]!, v["time"]!, v["blob"]!, v["inet6"]!,
                v["varint_big_negative"]!, v["decimal_negative_small"]!, v["list_text"]!, v["set_int"]!, v["map_text_int"]!,
                v["tuple_int_text"]!, v["timeuuid"]!, .null]
    }

    static let errors: [String: CQLServerError] = [
        "error_server": CQLServerError(code: .serverError, message: "boom"),
        "error_protocol": CQLServerError(code: .protocolError, message: "Invalid or unsupported protocol version (5)"),
        "error_bad_credentials": CQLServerError(code: .authenticationError, message: "Provided username cassandra and/or password are incorrect"),
        "error_unavailable": CQLServerError(code: .unavailable, message: "Cannot achieve consistency level QUORUM",
                                            details: .unavailable(consistency: .quorum, required: 2, alive: 1)),
        "error_overloaded": CQLServerError(code: .overloaded, message: "busy"),
        "error_write_timeout": CQLServerError(code: .writeTimeout, message: "timed out",
                                              details: .writeTimeout(consistency: .localQuorum, received: 1, blockFor: 2, writeType: "BATCH_LOG", contentions: nil)),
        "error_read_timeout": CQLServerError(code: .readTimeout, message: "timed out",
                                             details: .readTimeout(consistency: .one, received: 0, blockFor: 1, dataPresent: false)),
        "error_read_failure": CQLServerError(code: .readFailure, message: "failed",
                                             details: .readFailure(consistency: .all, received: 1, blockFor: 3, failures: 2, reasons: [], dataPresent: true)),
        "error_write_failure": CQLServerError(code: .writeFailure, message: "failed",
                                              details: .writeFailure(consistency: .two, received: 0, blockFor: 2, failures: 1, reasons: [], writeType: "SIMPLE")),
        "error_function_failure": CQLServerError(code: .functionFailure, message: "udf",
                                                 details: .functionFailure(keyspace: "ks", function: "f", argumentTypes: ["int", "text"])),
        "error_syntax": CQLServerError(code: .syntaxError, message: "line 1:0 no viable alternative"),
        "error_unauthorized": CQLServerError(code: .unauthorized, message: "User x has no MODIFY permission"),
        "error_invalid": CQLServerError(code: .invalid, message: "unconfigured table nope"),
        "error_config": CQLServerError(code: .configError, message: "cannot"),
        "error_already_exists": CQLServerError(code: .alreadyExists, message: "exists",
                                               details: .alreadyExists(keyspace: "spark_streams", table: "created_users")),
        "error_unprepared": CQLServerError(code: .unprepared, message: "not prepared", details: .unprepared(id: [0xCA, 0xFE])),
    ]

    static var responseFrames: [String: (CQLProtocolVersion, CQLFrame)] {
        var frames: [String: (CQLProtocolVersion, CQLFrame)] = [:]
        for (name, error) in errors { frames[name] = (.v4, CQLResponseWriter.error(error, stream: 5, version: .v4)) }
        frames["error_read_failure_v5"] = (.v5, CQLResponseWriter.error(
            CQLServerError(code: .readFailure, message: "failed", details: .readFailure(
                consistency: .quorum, received: 1, blockFor: 2, failures: 1,
                reasons: [CQLFailureReason(endpoint: CQLInetAddress("10.0.0.7")!, code: 1)], dataPresent: false)),
            stream: 6, version: .v5))
        frames["void"] = (.v4, CQLResponseWriter.void(stream: 1, version: .v4))
        frames["set_keyspace"] = (.v4, CQLResponseWriter.setKeyspace("spark_streams", stream: 2, version: .v4))
        frames["schema_change"] = (.v4, CQLResponseWriter.schemaChange(
            CQLSchemaChange(change: "CREATED", target: "TABLE", keyspace: "spark_streams", name: "created_users"), stream: 3, version: .v4))
        frames["rows_all_types"] = (.v4, CQLResponseWriter.rows(columns: allTypesColumns, rows: [allTypesRow], pagingState: [0x00, 0x10],
                                                                 stream: 4, version: .v4))
        let bind = [("id", CQLDataType.uuid), ("first_name", .text), ("dob", .timestamp)]
            .map { CQLColumn(keyspace: "spark_streams", table: "created_users", name: $0.0, type: $0.1) }
        frames["prepared_v4"] = (.v4, CQLResponseWriter.prepared(id: [0xCA, 0xFE, 0xBA, 0xBE], bindVariables: bind, stream: 8, version: .v4))
        frames["prepared_v5"] = (.v5, CQLResponseWriter.prepared(id: [0xCA, 0xFE], resultMetadataID: [0x0B, 0x0C], bindVariables: bind,
                                                                 resultColumns: [allTypesColumns[0]], stream: 9, version: .v5))
        return frames
    }

    struct DriverDecoded: Decodable {
        var kind: String
        var stream: Int
        var code: Int?
        var message: String?
        var info: String?
        var columns: [String]?
        var types: [String]?
        var rows: [[String]]?
        var paging_state: String?
        var keyspace: String?
        var id: String?
        var result_metadata_id: String?
        var bind_names: [String]?
        var bind_types: [String]?
        var pk_indexes: [Int]?
        var result_columns: [String]?
        var schema_change: String?
    }

    @Test("RESULT and ERROR frames decode to the same values as in the driver")
    func responsesMatch() async throws {
        let frames = Self.responseFrames
        let input = frames.map { ["name": $0.key, "version": Int($0.value.0.rawValue), "hex": CQLResponseWriter.bytes($0.value.1).hex] as [String: Any] }
        let output = try await PythonDriver.run("decode", input: try JSONSerialization.data(withJSONObject: input))
        let decoded = try JSONDecoder().decode([String: DriverDecoded].self, from: output)
        #expect(decoded.count == frames.count)
        for (name, (_, frame)) in frames {
            let driver = try #require(decoded[name], "driver decoded \(name)")
            #expect(driver.stream == Int(frame.header.stream))
            let ours = try CQLResponse.decode(frame)
            switch ours {
            case .error(let error):
                #expect(driver.kind == "error", "\(name)")
                #expect(driver.code == Int(error.code.rawValue), "\(name)")
                #expect(driver.message == error.message, "\(name)")
                #expect(driver.info == Self.canonicalInfo(error), "\(name)")
            case .result(.void):
                #expect(driver.kind == "void")
            case .result(.setKeyspace(let keyspace)):
                #expect(driver.keyspace == keyspace)
            case .result(.schemaChange(let change)):
                #expect(driver.schema_change == "\(change.change) \(change.target) \(change.keyspace) \(change.name ?? "")")
            case .result(.rows(let rows)):
                #expect(driver.columns == rows.columns.map(\.name))
                #expect(driver.types == rows.columns.map(\.type.description))
                #expect(driver.rows == rows.rows.map { $0.values.map(Self.canonical) })
                #expect(driver.paging_state == rows.pagingState?.hex)
            case .result(.prepared(let prepared)):
                #expect(driver.id == prepared.id.hex, "\(name)")
                #expect(driver.result_metadata_id == prepared.resultMetadataID?.hex, "\(name)")
                #expect(driver.bind_names == prepared.bindVariables.map(\.name), "\(name)")
                #expect(driver.bind_types == prepared.bindVariables.map(\.type.description), "\(name)")
                #expect(driver.pk_indexes == prepared.partitionKeyIndexes.map(Int.init), "\(name)")
                #expect(driver.result_columns == prepared.resultColumns.map(\.name), "\(name)")
            default:
                Issue.record("unexpected decoding of \(name): \(ours)")
            }
        }
    }

    /// The same text form driver_crosscheck.py's `canon` gives.
    static func canonical(_ value: CQLValue) -> String {
        switch value {
        case .null: "null"
        case .timestamp(let millis): "ts:\(millis)"
        case .date(let days): "date:\(days)"
        case .time(let nanos): "time:\(nanos)"
        case .decimal(let decimal): "dec:\(decimal.unscaled):\(decimal.scale)"
        case .float(let number): "\(Double(number))"
        case .list(let elements), .set(let elements): "[" + elements.map(canonical).joined(separator: ",") + "]"
        case .tuple(let elements): "(" + elements.map(canonical).joined(separator: ",") + ")"
        case .map(let entries): "{" + entries.map { canonical($0.key) + ":" + canonical($0.value) }.joined(separator: ",") + "}"
        default: value.description
        }
    }

    /// The same text form driver_crosscheck.py's `error_info` gives (its key names, sorted).
    static func canonicalInfo(_ error: CQLServerError) -> String {
        switch error.details {
        case .none: return ""
        case .unavailable(let cl, let required, let alive):
            return "alive_replicas=\(alive) consistency=\(cl.rawValue) required_replicas=\(required)"
        case .writeTimeout(let cl, let received, let blockFor, let writeType, _):
            return "consistency=\(cl.rawValue) received_responses=\(received) required_responses=\(blockFor) write_type=\(writeType)"
        case .readTimeout(let cl, let received, let blockFor, let present):
            return "consistency=\(cl.rawValue) data_retrieved=\(present) received_responses=\(received) required_responses=\(blockFor)"
        case .readFailure(let cl, let received, let blockFor, let failures, let reasons, let present):
            let map = reasons.isEmpty ? "null" : reasons.map { "\($0.endpoint)=\($0.code)" }.joined(separator: ",")
            return "consistency=\(cl.rawValue) data_retrieved=\(present) error_code_map=\(map) failures=\(failures) received_responses=\(received) required_responses=\(blockFor)"
        case .writeFailure(let cl, let received, let blockFor, let failures, let reasons, let writeType):
            let map = reasons.isEmpty ? "null" : reasons.map { "\($0.endpoint)=\($0.code)" }.joined(separator: ",")
            return "consistency=\(cl.rawValue) error_code_map=\(map) failures=\(failures) received_responses=\(received) required_responses=\(blockFor) write_type=\(writeType)"
        case .functionFailure(let keyspace, let function, let types):
            return "arg_types=\(types.joined(separator: ",")) function=\(function) keyspace=\(keyspace)"
        case .casWriteUnknown(let cl, let received, let blockFor):
            return "consistency=\(cl.rawValue) received=\(received) blockfor=\(blockFor)"
        case .alreadyExists(let keyspace, let table):
            return "keyspace=\(keyspace) table=\(table)"
        case .unprepared(let id):
            return "0x" + id.hex
        }
    }
}
