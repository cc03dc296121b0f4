import Foundation
import Testing
@testable import userstream

/// Options that fall back to `USERSTREAM_*` variables when their flag is not given.
@Suite(.serialized) struct EnvironmentOptionsTests {
    @Test func theEnvironmentFillsInOptionsAndFlagsWin() throws {
        setenv("USERSTREAM_COUNT", "42", 1)
        setenv("USERSTREAM_DLQ_TOPIC", "rejected_users", 1)
        defer {
            unsetenv("USERSTREAM_COUNT")
            unsetenv("USERSTREAM_DLQ_TOPIC")
        }
        #expect(try IngestOptions.parse([]).count == 42)
        #expect(try IngestOptions.parse(["--count", "7"]).count == 7)
        #expect(try TopicOptions.parse([]).deadLetterTopic == "rejected_users")
        #expect(try TopicOptions.parse(["--dlq-topic", "other"]).deadLetterTopic == "other")
    }

    @Test func helpNeverShowsAPasswordFromTheEnvironment() throws {
        setenv("USERSTREAM_SASL_PASSWORD", "s3cret-from-env", 1)
        setenv("USERSTREAM_SASL_MECHANISM", "PLAIN", 1)
        defer {
            unsetenv("USERSTREAM_SASL_PASSWORD")
            unsetenv("USERSTREAM_SASL_MECHANISM")
        }
        #expect(try ConnectionOptions.parse([]).saslPassword == "s3cret-from-env")
        #expect(!ConnectionOptions.helpMessage().contains("s3cret-from-env"))
        #expect(!Userstream.helpMessage(for: ProduceUsersCommand.self).contains("s3cret-from-env"))
    }
}

@Suite struct MalformedEnvironmentTests {
    @Test func aNumberThatDoesNotParseStopsTheCommand() async {
        await #expect(processExitsWith: .exitCode(64)) {
            setenv("USERSTREAM_COUNT", "ten thousand", 1)
            _ = IngestOptions.parseOrExit([])
        }
    }

    @Test func anEmptyBootstrapServersVariableIsUnset() async {
        await #expect(processExitsWith: .success) {
            setenv("USERSTREAM_BOOTSTRAP_SERVERS", "", 1)
            let servers = try ConnectionOptions.parse([]).kafkaConfiguration().bootstrapServers
            exit(servers.map(\.description) == ["127.0.0.1:9092"] ? 0 : 1)
        }
    }

    @Test func saslCredentialsWithoutAMechanismAreAUsageError() async {
        await #expect(processExitsWith: .exitCode(64)) {
            setenv("USERSTREAM_SASL_PASSWORD", "pw", 1)
            _ = ConnectionOptions.parseOrExit(["--sasl-username", "u"])
        }
    }
}
