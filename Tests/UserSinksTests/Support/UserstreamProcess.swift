import Foundation
import KafkaTestSupport
import Synchronization

/// The built `userstream` binary run as a child process; standard error goes to a file so a
/// chatty run can never block on a full pipe.
final class UserstreamProcess: Sendable {
    private let process: Process
    private let errorFile: URL
    private let exited = Mutex<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))

    /// The debug build of the binary (`swift build` puts it there; `swift test` builds it too).
    static let binary = TansuBroker.repositoryRoot + "/.build/debug/userstream"

    private init(process: Process, errorFile: URL) {
        self.process = process
        self.errorFile = errorFile
    }

    /// Starts `userstream ARGUMENTS` — as the user `USERSTREAM_RUN_AS` names (`UID:GID`, through
    /// `setpriv`) when it is set, so CI can show the binary needs no privilege root would hide.
    static func start(_ arguments: [String]) throws -> UserstreamProcess {
        let process = Process()
        if let runAs = ProcessInfo.processInfo.environment["USERSTREAM_RUN_AS"], !runAs.isEmpty {
            let ids = runAs.split(separator: ":")
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=\(ids[0])", "--regid=\(ids.last!)", "--clear-groups", binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
        }
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("userstream-\(UUID().uuidString).stderr")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardOutput = FileHandle.nullDevice
        let child = UserstreamProcess(process: process, errorFile: errorFile)
        process.terminationHandler = { finished in
            let waiters = child.exited.withLock { state in
                state.status = finished.terminationStatus
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: finished.terminationStatus) }
        }
        try process.run()
        return child
    }

    /// Waits for the process to end and returns its exit status. A waiting test cancelled (by its
    /// time limit) kills the process, so a run that never ends fails the test instead of hanging it.
    func exit() async -> Int32 {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let status = exited.withLock { state in
                    if state.status == nil { state.waiters.append(continuation) }
                    return state.status
                }
                if let status { continuation.resume(returning: status) }
            }
        } onCancel: {
            if process.isRunning { crash() }
        }
    }

    /// Asks the process to finish (SIGTERM: it completes the batch in progress, commits and exits).
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    }

    /// Ends the process at once, as a crash would (SIGKILL: nothing runs on the way out).
    func crash() {
        kill(process.processIdentifier, SIGKILL)
    }

    /// What the process wrote to standard error.
    var standardError: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }
}
