import Foundation
import Kafka
import ServiceLifecycle
import Synchronization

/// A Tansu broker process on a loopback port (memory storage): a service whose `run()` starts
/// the process, reports it ready once it answers Kafka requests, and kills it when the group
/// shuts down.
public final class EmbeddedBroker: Service {
    public let address: BrokerAddress
    private let binary: String
    private let arguments: [String]
    private let workingDirectory: String?
    private let log: String
    private let process = Mutex<ChildProcess?>(nil)
    private let readiness: AsyncStream<Void>
    private let announce: AsyncStream<Void>.Continuation

    /// How long the broker may take to answer after it started.
    static let startTimeout = Duration.seconds(15)

    /// A broker to run from `binary` on `port` (0: a free one), writing its output to `log`. With
    /// `schemaRegistry` (Tansu's `file://` URL, absolute: the broker runs in `/`, against which
    /// Tansu resolves it), it validates records against the schemas there.
    public init(binary: String, port: Int, log: String, schemaRegistry: String? = nil) throws(EmbeddedBrokerError) {
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw .notExecutable(binary: binary) }
        let port = port == 0 ? try Self.freeLoopbackPort() : port
        let url = "tcp://127.0.0.1:\(port)"
        var arguments = ["broker", "--listener-url", url, "--advertised-listener-url", url, "--storage-engine", "memory://tansu/"]
        if let schemaRegistry {
            arguments += ["--schema-registry", schemaRegistry]
        }
        address = BrokerAddress(host: "127.0.0.1", port: port)
        self.binary = binary
        self.arguments = arguments
        workingDirectory = schemaRegistry.map { _ in "/" }
        self.log = log
        (readiness, announce) = AsyncStream.makeStream(of: Void.self)
    }

    /// Starts the broker, waits until it answers, then keeps it until the group shuts down.
    public func run() async throws {
        let process = try spawn()
        self.process.withLock { $0 = process }
        defer { stop() }
        try await KafkaAdmin.withAdmin(configuration: KafkaConfiguration(bootstrapServers: [address])) { admin in
            let deadline = ContinuousClock.now + Self.startTimeout
            while (try? await admin.listTopics()) == nil {
                guard process.isRunning else { throw EmbeddedBrokerError.exitedAtStart(how: process.exitDescription, log: log) }
                guard ContinuousClock.now < deadline else {
                    throw EmbeddedBrokerError.notAnswering(address: address, within: Self.startTimeout, log: log)
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        announce.yield()
        try? await gracefulShutdown()
    }

    /// Returns once the broker answers Kafka requests; a broker that fails to start fails its
    /// group, which cancels the wait.
    public func ready() async throws {
        for await _ in readiness { return }
        throw CancellationError()
    }

    private func spawn() throws(EmbeddedBrokerError) -> ChildProcess {
        guard FileManager.default.createFile(atPath: log, contents: nil), let output = FileHandle(forWritingAtPath: log) else {
            throw .cannotCreateLog(path: log)
        }
        defer { try? output.close() }  // the broker writes through its own copy
        do {
            return try ChildProcess.spawn(binary, arguments: arguments, workingDirectory: workingDirectory, output: output)
        } catch {
            throw .cannotStart(binary: binary, reason: "\(error)")
        }
    }

    /// The broker's process id while it runs.
    var pid: pid_t? { process.withLock { $0?.pid } }

    /// Stops the broker. SIGKILL: its data is in memory and goes with it, so there is nothing
    /// to wait for.
    public func stop() {
        guard let process = process.withLock({ $0 }) else { return }
        process.send(SIGKILL)
        process.waitUntilExit()
    }

    private static func freeLoopbackPort() throws(EmbeddedBrokerError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .noFreePort }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw .noFreePort }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

