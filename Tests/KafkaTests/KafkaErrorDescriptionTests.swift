import Testing
@testable import Kafka

/// The library says what happened in Kafka's terms; which flag fixes it is the program's to say.
@Suite struct KafkaErrorDescriptionTests {
    static let address = BrokerAddress(host: "broker1", port: 9092)

    static let everyKind: [KafkaError] = [
        .configuration("bad"),
        .missingGroupID,
        .noBrokerAnswered([address, BrokerAddress(host: "broker2", port: 9093)], reason: "connection refused"),
        .connectionFailed(address, reason: "connection refused"),
        .connectionClosed(address),
        .requestTimedOut(address, api: "Metadata", after: .seconds(30)),
        .unsupportedVersion(api: "Produce", address),
        .authenticationFailed("the broker's SCRAM signature does not match"),
        .saslMechanismNotOffered(address, mechanism: "SCRAM-SHA-512", offered: ["PLAIN", "SCRAM-SHA-256"]),
        .saslCredentialsRejected(address, user: "alice", mechanism: "PLAIN", message: "Authentication failed"),
        .broker(code: 29, name: "TOPIC_AUTHORIZATION_FAILED", message: "denied", context: "producing to users-0", retriable: false),
        .unknownTopic("users"),
        .messageTooLarge(size: 2_000_000, limit: 1_048_576),
        .messageTooLarge(size: 2_000_000, limit: nil),
        .malformedResponse("short frame"),
        .shutDown,
        .deliveryTimedOut(TopicPartition(topic: "users", partition: 0), after: .seconds(120)),
        .brokersUnreachable(for: .seconds(60), lastError: "connection refused"),
    ]

    @Test("no description names a command-line flag or command", arguments: everyKind)
    func namesNoFlag(_ error: KafkaError) {
        #expect(!error.description.contains("--"), "\(error)")
        #expect(!error.description.contains("userstream"), "\(error)")
        #expect(!error.description.isEmpty)
    }

    @Test("a record over the producer's own limit names that limit, not the topic's setting, which cannot lift it")
    func recordOverTheProducersLimit() {
        #expect(KafkaError.messageTooLarge(size: 2_000_000, limit: 1_048_588).description
                == "record of 2000000 bytes is larger than the producer's maximum record size of 1048588 bytes")
        #expect(KafkaError.messageTooLarge(size: 2_000_000, limit: nil).description.contains("max.message.bytes on the topic"))
    }

    @Test func descriptionsCarryTheDetailsThemselves() {
        #expect(KafkaError.noBrokerAnswered([Self.address], reason: "connection refused").description
                == "no Kafka broker answered at broker1:9092 (connection refused)")
        #expect(KafkaError.connectionFailed(Self.address, reason: "timed out").description
                == "could not connect to Kafka broker broker1:9092: timed out")
        #expect(KafkaError.unknownTopic("users").description == "topic 'users' does not exist")
        #expect(KafkaError.missingGroupID.description == "invalid configuration: the consumer group id is empty")
        #expect(KafkaError.saslMechanismNotOffered(Self.address, mechanism: "SCRAM-SHA-512", offered: ["PLAIN"]).description
                == "Kafka authentication failed: broker broker1:9092 does not accept SASL mechanism SCRAM-SHA-512 (it offers: PLAIN)")
        #expect(KafkaError.saslMechanismNotOffered(Self.address, mechanism: "PLAIN", offered: []).description.hasSuffix("(it offers: none)"))
        #expect(KafkaError.saslCredentialsRejected(Self.address, user: "alice", mechanism: "PLAIN", message: "bad").description
                == "Kafka authentication failed: broker broker1:9092 rejected user 'alice' with PLAIN: bad")
    }

    @Test func everySASLRefusalIsAnAuthenticationFailure() {
        #expect(KafkaError.authenticationFailed("no").isAuthenticationFailure)
        #expect(KafkaError.saslMechanismNotOffered(Self.address, mechanism: "PLAIN", offered: []).isAuthenticationFailure)
        #expect(KafkaError.saslCredentialsRejected(Self.address, user: "u", mechanism: "PLAIN", message: nil).isAuthenticationFailure)
        #expect(!KafkaError.connectionFailed(Self.address, reason: "refused").isAuthenticationFailure)
        #expect(!KafkaError.saslCredentialsRejected(Self.address, user: "u", mechanism: "PLAIN", message: nil).isRetriable)
    }

    @Test func anEmptyBootstrapListNamesNoFlag() {
        #expect(throws: KafkaError.self) { try KafkaConfiguration.parseBootstrapServers("") }
        do {
            _ = try KafkaConfiguration.parseBootstrapServers("")
        } catch {
            #expect(error.description.contains("host:port"))
            #expect(!error.description.contains("--"))
        }
    }

    @Test("a consumer without a group id is refused before connecting")
    func emptyGroupID() async {
        let configuration = KafkaConfiguration(bootstrapServers: [BrokerAddress(host: "127.0.0.1", port: 1)])
        await #expect {
            _ = try await KafkaConsumer(configuration: configuration, group: ConsumerGroupSettings(groupID: ""))
        } throws: { error in
            guard case KafkaError.missingGroupID = error else { return false }
            return true
        }
    }

    @Test("withAdmin shuts the admin down when the body returns and when it throws")
    func withAdminShutsDown() async throws {
        let configuration = KafkaConfiguration(bootstrapServers: [BrokerAddress(host: "127.0.0.1", port: 1)])
        var used: [KafkaAdmin] = []
        let value = try await KafkaAdmin.withAdmin(configuration: configuration) { admin in
            used.append(admin)
            return 7
        }
        #expect(value == 7)
        struct Stop: Error {}
        do {
            try await KafkaAdmin.withAdmin(configuration: configuration) { admin in
                used.append(admin)
                throw Stop()
            }
            Issue.record("the body's error was not rethrown")
        } catch is Stop {
        }
        #expect(used.count == 2)
        for admin in used {
            await #expect {
                _ = try await admin.listTopics()
            } throws: { error in
                guard case KafkaError.shutDown = error else { return false }
                return true
            }
        }
    }
}
