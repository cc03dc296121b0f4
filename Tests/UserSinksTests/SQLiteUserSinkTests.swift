import Foundation
import Testing
@testable import UserContract
@testable import RandomUserAPI
@testable import StandInAPI
@testable import UserSinks
import UserTestSupport

@Suite struct SQLiteUserSinkTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("userstream-tests-\(UUID().uuidString)/nested/users.db").path
    }

    func users(_ count: Int, seed: String = "sink") throws -> [User] {
        let response = try JSONDecoder().decode(RandomUserResponse.self, from: Data(RandomUserPageWriter.page(seed: seed, page: 1, count: count)))
        return try response.results.map { try UserFormatter.format(try #require($0)) }
    }

    @Test func upsertIsIdempotent() async throws {
        let sink = try SQLiteUserSink(path: temporaryPath())
        let batch = try users(300)
        try await sink.upsert(batch)
        try await sink.upsert(batch)
        #expect(try await sink.count() == 300)
        var changed = batch[0]
        changed.phone = "000"
        try await sink.upsert([changed])
        #expect(try await sink.count() == 300)
        #expect(try await sink.query().first { $0.id == changed.id }?.phone == "000")
        try await sink.close()
    }

    @Test func roundTripsEveryField() async throws {
        let path = temporaryPath()
        let sink = try SQLiteUserSink(path: path)
        var user = Fixtures.user
        user.firstName = "Мирослава"
        user.lastName = "吴"
        user.address = "Çağlar Sk 7, İzmir, 'quoted' \"too\""
        let batch = [user] + (try users(5))
        try await sink.upsert(batch)
        let stored = try await sink.query(limit: 10)
        #expect(stored == batch)
        for key in User.CodingKeys.allCases { #expect(stored[0][key] == user[key]) }
        #expect(try await sink.query(limit: 2).count == 2)
        try await sink.close()
        // Durable: a new sink on the same file sees the rows.
        let reopened = try SQLiteUserSink(path: path)
        #expect(try await reopened.count() == 6)
        try await reopened.close()
    }

    @Test func usesWALAndTheContractColumns() async throws {
        let path = temporaryPath()
        let sink = try SQLiteUserSink(path: path)
        try await sink.upsert([Fixtures.user])
        try await sink.close()
        #expect(FileManager.default.fileExists(atPath: path))
        let header = try #require(FileManager.default.contents(atPath: path))
        #expect(header[18] == 2 && header[19] == 2)  // file format bytes 2 = WAL
    }

    @Test func everyCommitIsSyncedBeforeTheWriteReturns() async throws {
        let sink = try SQLiteUserSink(path: temporaryPath())
        #expect(try await sink.writerSynchronousMode() == 2)  // FULL; the pool alone would leave NORMAL (1)
        try await sink.close()
    }

    @Test func unwritableDirectoryIsAClearError() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("userstream-ro-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: root.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: root.path) }
        let path = root.appendingPathComponent("sub/users.db").path
        guard getuid() != 0 else {
            // root ignores permissions; a path under a regular file cannot be created by anyone.
            let file = root.appendingPathComponent("file")
            _ = FileManager.default.createFile(atPath: file.path, contents: Data())
            #expect(throws: SQLiteSinkError.self) { try SQLiteUserSink(path: file.path + "/users.db") }
            return
        }
        do {
            _ = try SQLiteUserSink(path: path)
            Issue.record("expected an error")
        } catch let error as SQLiteSinkError {
            #expect(error.description.contains("not writable"))
            #expect(error.description.contains("--sink sqlite:PATH"))
        }
    }

    @Test func aDeletedDatabaseDirectoryFailsTheNextWrite() async throws {
        let path = temporaryPath()
        let sink = try SQLiteUserSink(path: path)
        try await sink.upsert(try users(10))
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.removeItem(atPath: directory)  // rm -rf data/
        do {
            try await sink.upsert(try users(10, seed: "after"))
            Issue.record("a write into a deleted database succeeded")
        } catch let error as SQLiteSinkError {
            guard case .databaseGone = error else { throw error }
            #expect(error.description.contains("was deleted"))
            #expect((error as any Error) is any UnrecoverableSinkError)
        }
        try? await sink.close()
    }

    @Test func aReplacedDatabaseFileFailsTheNextWrite() async throws {
        let path = temporaryPath()
        let sink = try SQLiteUserSink(path: path)
        try await sink.upsert(try users(10))
        try FileManager.default.moveItem(atPath: path, toPath: path + ".old")
        let other = try SQLiteUserSink(path: path)  // a new, empty database at the same path
        do {
            try await sink.upsert(try users(10, seed: "after"))
            Issue.record("a write into a replaced database succeeded")
        } catch let error as SQLiteSinkError {
            guard case .databaseGone = error else { throw error }
            #expect(error.description.contains("replaced"))
        }
        try await other.close()
        try? await sink.close()
    }
}
