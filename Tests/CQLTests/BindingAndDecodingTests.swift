import Foundation
import Testing
@testable import CQL

@Suite("Binding values by column type and decoding rows")
struct BindingAndDecodingTests {
    @Test("text bound to timestamp becomes milliseconds; to text it stays text")
    func timestampBinding() throws {
        #expect(try CQLValue.text("1990-05-01T12:00:00.000Z").bound(to: .timestamp) == .timestamp(641_563_200_000))
        #expect(try CQLValue.text("1990-05-01T14:00:00+02:00").bound(to: .timestamp) == .timestamp(641_563_200_000))
        #expect(try CQLValue.text("1990-05-01T12:00:00.000Z").bound(to: .text) == .text("1990-05-01T12:00:00.000Z"))
        #expect(try CQLValue.text("1990-05-01T12:00:00.000Z").bound(to: .date) == .date(7425))
        #expect(try CQLValue.timestamp(641_563_200_000).bound(to: .text) == .text("1990-05-01T12:00:00.000Z"))
        #expect(try CQLValue.timestamp(-1).bound(to: .text) == .text("1969-12-31T23:59:59.999Z"))
        #expect(throws: CQLError.self) { try CQLValue.text("yesterday").bound(to: .timestamp) }
    }

    @Test("UUID text bound to uuid becomes 16 bytes; numbers narrow with range checks")
    func otherBindings() throws {
        let uuid = try CQLValue.text("3F2504E0-4F89-11D3-9A0C-0305E82C3301").bound(to: .uuid)
        #expect(uuid == .uuid(UUID(uuidString: "3f2504e0-4f89-11d3-9a0c-0305e82c3301")!))
        #expect(try CQLValue.bigint(5).bound(to: .int) == .int(5))
        #expect(try CQLValue.text("42").bound(to: .smallint) == .smallint(42))
        #expect(throws: CQLError.self) { try CQLValue.bigint(300).bound(to: .tinyint) }
        #expect(try CQLValue.bigint(7).bound(to: .text) == .text("7"))
        #expect(try CQLValue.text("10.1.2.3").bound(to: .inet) == .inet(CQLInetAddress("10.1.2.3")!))
        #expect(try CQLValue.list(["a"]).bound(to: .set(.text)) == .set([.text("a")]))
        #expect(try CQLValue.null.bound(to: .uuid) == .null)
        let error = #expect(throws: CQLError.self) { try CQLValue.text("naïve").bound(to: .ascii) }
        #expect("\(error!)".contains("ascii"))
    }

    @Test("prepared statements check the value count and bind by name")
    func preparedBinding() throws {
        let columns = [CQLColumn(keyspace: "ks", table: "t", name: "id", type: .uuid), CQLColumn(keyspace: "ks", table: "t", name: "dob", type: .timestamp)]
        let prepared = CQLPreparedStatement(query: "INSERT", result: CQLPreparedResult(id: [1], resultMetadataID: nil, bindVariables: columns, partitionKeyIndexes: [0], resultColumns: []))
        #expect(throws: CQLError.self) { try prepared.bind(["3f2504e0-4f89-11d3-9a0c-0305e82c3301"]) }
        let bound = try prepared.bind(named: ["dob": "1970-01-01T00:00:01Z"])
        #expect(bound == [.unset, .timestamp(1000)])
        #expect(throws: CQLError.self) { try prepared.bind(named: ["nope": "x"]) }
    }

    struct User: Decodable, Equatable {
        var id: UUID
        var first_name: String
        var dob: String
        var age: Int?
        var tags: [String]
    }

    @Test("rows decode into Decodable types from typed and all-text tables alike")
    func rowDecoding() throws {
        let id = UUID(uuidString: "3f2504e0-4f89-11d3-9a0c-0305e82c3301")!
        func columns(_ types: [CQLDataType]) -> [CQLColumn] {
            zip(["id", "first_name", "dob", "age", "tags"], types).map { CQLColumn(keyspace: "ks", table: "t", name: $0.0, type: $0.1) }
        }
        let typed = CQLRow(columns: columns([.uuid, .text, .timestamp, .int, .list(.text)]),
                           values: [.uuid(id), .text("Ada"), .timestamp(641_563_200_000), .null, .list([.text("x")])])
        let text = CQLRow(columns: columns([.text, .text, .text, .text, .list(.text)]),
                          values: [.text(id.uuidString), .text("Ada"), .text("1990-05-01T12:00:00.000Z"), .text("36"), .list([.text("x")])])
        #expect(try typed.decode(User.self) == User(id: id, first_name: "Ada", dob: "1990-05-01T12:00:00.000Z", age: nil, tags: ["x"]))
        #expect(try text.decode(User.self) == User(id: id, first_name: "Ada", dob: "1990-05-01T12:00:00.000Z", age: 36, tags: ["x"]))
        #expect(throws: DecodingError.self) { try CQLRow(columns: [], values: []).decode(User.self) }
    }

    @Test("node ring: round-robin over live nodes, capped exponential backoff for failed ones")
    func nodeRing() {
        let a = CQLNodeRing.Node(host: "a", port: 1), b = CQLNodeRing.Node(host: "b", port: 1), c = CQLNodeRing.Node(host: "c", port: 1)
        var ring = CQLNodeRing(nodes: [a, b, c], baseDelay: .seconds(1), maximumDelay: .seconds(5))
        let now = ContinuousClock.now
        #expect(ring.queryPlan(now: now) == [a, b, c])
        #expect(ring.queryPlan(now: now) == [b, c, a])
        ring.markDown(b, now: now)
        #expect(ring.queryPlan(now: now) == [c, a, b])
        #expect(ring.isBackingOff(b, now: now) && !ring.isBackingOff(b, now: now + .seconds(1)))
        #expect([1, 2, 3, 4, 10].map(ring.backoff(failures:)) == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
        ring.markUp(b)
        ring.add(a)
        #expect(ring.nodes == [a, b, c])
    }

    @Test("credentials print without the password")
    func credentialsDescription() {
        #expect("\(CQLCredentials(username: "u", password: "hunter2"))" == "u:****")
    }
}

@Suite("Credentials stay out of printed configuration")
struct CredentialRedactionTests {
    @Test("printing, debug-printing and dumping a configuration never shows the password")
    func redaction() {
        let configuration = CQLSessionConfiguration(contactPoints: ["db"], credentials: CQLCredentials(username: "app", password: "hunter2"))
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in ["\(configuration)", String(reflecting: configuration), dumped] {
            #expect(!text.contains("hunter2"))
            #expect(text.contains("app"))
        }
    }
}

@Suite("Swift values as CQL values")
struct ValueConvertibleTests {
    @Test("Swift values convert to CQL and then bind by column type")
    func conversions() throws {
        let id = UUID()
        #expect(try id.uuidString.cqlValue.bound(to: .uuid) == .uuid(id))
        #expect(try Date(timeIntervalSince1970: 1.5).cqlValue.bound(to: .text) == .text("1970-01-01T00:00:01.500Z"))
        #expect(try 5.cqlValue.bound(to: .int) == .int(5))
        #expect(Optional<String>.none.cqlValue == .null)
        #expect(["a"].cqlValue == .list([.text("a")]))
    }
}
