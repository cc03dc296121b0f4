import Foundation
import Testing

/// Runs tests/cql/driver_crosscheck.py with the repo's Python (the DataStax driver installed by scripts/setup.sh).
enum PythonDriver {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "no Python with cassandra-driver at \(path) — run scripts/setup.sh (creates .venv from tests/requirements.txt) or set USERSTREAM_PYTHON"
        }
    }

    struct Failed: Error, CustomStringConvertible {
        let status: Int32
        let output: String
        var description: String { "driver_crosscheck.py exited with \(status): \(output)" }
    }

    static var python: String {
        ProcessInfo.processInfo.environment["USERSTREAM_PYTHON"] ?? repositoryRoot.appendingPathComponent(".venv/bin/python").path
    }

    /// Runs the script with `command`, feeding `input` on stdin; returns stdout. Waits without blocking a thread.
    static func run(_ command: String, input: Data = Data()) async throws -> Data {
        let python = self.python
        guard FileManager.default.isExecutableFile(atPath: python) else { throw Missing(path: python) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cql-crosscheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputURL = directory.appendingPathComponent("in.json"), outputURL = directory.appendingPathComponent("out.json")
        let errorURL = directory.appendingPathComponent("err.txt")
        try input.write(to: inputURL)
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [repositoryRoot.appendingPathComponent("tests/cql/driver_crosscheck.py").path, command]
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        guard status == 0 else {
            throw Failed(status: status, output: (try? String(contentsOf: errorURL, encoding: .utf8)) ?? "")
        }
        return try Data(contentsOf: outputURL)
    }
}
