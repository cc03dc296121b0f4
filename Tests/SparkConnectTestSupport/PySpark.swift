import Foundation

/// Runs the helpers in tests/spark with the Python that has pyspark (SPARK_PYTHON, else .venv-spark).
public enum PySpark {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    public static let python = ProcessInfo.processInfo.environment["SPARK_PYTHON"]
        ?? root.appendingPathComponent(".venv-spark/bin/python").path
    public static var available: Bool { FileManager.default.isExecutableFile(atPath: python) }

    /// Runs `tests/spark/<script>` with `arguments`; returns its exit status and standard output.
    public static func run(_ script: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("tests/spark/\(script)").path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        // The exit is awaited through the termination handler, not by blocking a thread.
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        return (status, String(decoding: data, as: UTF8.self))
    }
}
