import Foundation
import Kafka
import Testing

/// A Tansu broker started for one test through scripts/tansu.sh, stopped when the test's
/// suite instance goes away.
nonisolated(unsafe) private var sharedPID: Int32 = 0  // written once, before atexit can run

public final class TansuBroker: Sendable {
    /// Where the broker listens.
    public let address: BrokerAddress
    /// The broker's process id.
    public let pid: Int32

    /// The repository checkout (scripts, .venv, .build).
    public static let repositoryRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    init() throws {
        let root = Self.repositoryRoot
        guard FileManager.default.isExecutableFile(atPath: root + "/.venv/bin/python") else {
            Issue.record("\(root)/.venv is missing — run scripts/setup.sh to install the Tansu broker the Kafka tests need")
            throw KafkaError.configuration(".venv is missing — run scripts/setup.sh")
        }
        let output = try Self.run(root + "/scripts/tansu.sh", ["start"], captureFirstLine: true)
        let words = output.split(whereSeparator: \.isWhitespace)
        guard words.count == 2, let pid = Int32(words[1]) else {
            throw KafkaError.configuration("scripts/tansu.sh start failed: '\(output)' — see .build/tansu/*.log")
        }
        address = try BrokerAddress(parsing: String(words[0]))
        self.pid = pid
    }

    /// One broker for the whole test run (topics are unique per test); stopped at process exit.
    static let shared: Result<TansuBroker, any Error> = {
        do {
            let broker = try TansuBroker()
            sharedPID = broker.pid
            atexit {
                _ = try? TansuBroker.run(TansuBroker.repositoryRoot + "/scripts/tansu.sh", ["stop", String(sharedPID)], captureFirstLine: false)
            }
            return .success(broker)
        } catch {
            return .failure(error)
        }
    }()

    /// The shared broker; fails the test (never skips it) when it cannot start.
    public static func start() throws -> TansuBroker {
        try shared.get()
    }

    /// A client configuration for this broker.
    public var configuration: KafkaConfiguration {
        KafkaConfiguration(bootstrapServers: [address], clientID: "userstream-tests", requestTimeout: .seconds(20))
    }

    /// Runs a script and returns the first line it prints. Reads up to the first newline, not to
    /// EOF, because the broker started in the background inherits the pipe and keeps it open.
    /// posix_spawn rather than Foundation's Process, whose exit handling can stall inside tests.
    public static func run(_ path: String, _ arguments: [String], captureFirstLine: Bool) throws -> String {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw KafkaError.configuration("pipe() failed") }
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, nil, argv, environ)
        posix_spawn_file_actions_destroy(&actions)
        close(fds[1])
        guard status == 0 else {
            close(fds[0])
            throw KafkaError.configuration("cannot run \(path): error \(status)")
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(fds[0], &byte, 1) == 1 {
            if byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        close(fds[0])
        var exitStatus: Int32 = 0
        waitpid(pid, &exitStatus, 0)
        return String(decoding: bytes, as: UTF8.self)
    }
}
