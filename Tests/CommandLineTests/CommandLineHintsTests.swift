import CQL
import Kafka
import SparkConnect
import Testing
import UserPipeline
@testable import userstream
import UserSinks

/// The command line adds to Kafka and Cassandra errors the flag or command that fixes them.
@Suite struct CommandLineHintsTests {
    static let address = BrokerAddress(host: "127.0.0.1", port: 9092)

    @Test func kafkaErrorsGetTheFlagThatFixesThem() {
        let hints: [(KafkaError, String)] = [
            (.noBrokerAnswered([Self.address], reason: "connection refused"), "is Kafka running? set --bootstrap-servers"),
            (.connectionFailed(Self.address, reason: "connection refused"), "is Kafka running? set --bootstrap-servers"),
            (.brokersUnreachable(for: .seconds(60), lastError: "refused"), "is Kafka running? set --bootstrap-servers"),
            (.unknownTopic("users"), "create it first: userstream setup, or userstream kafka topics create users"),
            (.missingGroupID, "set --group"),
            (.saslMechanismNotOffered(Self.address, mechanism: "PLAIN", offered: ["SCRAM-SHA-256"]), "set --sasl-mechanism accordingly"),
            (.saslCredentialsRejected(Self.address, user: "u", mechanism: "PLAIN", message: nil), "check --sasl-username and --sasl-password"),
        ]
        for (error, hint) in hints {
            #expect(CommandLineHints.hint(for: error) == hint, "\(error)")
            #expect(CommandLineHints.hint(for: error as any Error) == hint, "\(error)")
        }
    }

    @Test func cassandraErrorsGetTheFlagThatFixesThem() {
        let hints: [(CQLError, String)] = [
            (.authenticationFailed(user: "bob", host: "db1:9042", serverMessage: "bad"), "check --sink credentials"),
            (.authenticationRequired(host: "db1:9042", authenticator: "PasswordAuthenticator"), "put user:password@ in --sink"),
            (.connectionFailed(host: "db1:9042", reason: "refused"), "is Cassandra running and listening for CQL (port 9042)? check --sink"),
            (.noHostAvailable(attempts: ["db1:9042: refused"]), "check that the nodes are up and --sink lists them"),
        ]
        for (error, hint) in hints {
            #expect(CommandLineHints.hint(for: error) == hint, "\(error)")
            #expect(CommandLineHints.hint(for: error as any Error) == hint, "\(error)")
        }
    }

    @Test("the final line reads as before: the library's words, then the command line's hint")
    func messages() {
        let noBroker = KafkaError.noBrokerAnswered([Self.address], reason: "connection refused")
        #expect(CommandLineHints.message("\(noBroker)", for: noBroker)
                == "no Kafka broker answered at 127.0.0.1:9092 (connection refused) — is Kafka running? set --bootstrap-servers")
        let missing = KafkaError.unknownTopic("users")
        #expect(CommandLineHints.message("\(missing)", for: missing)
                == "topic 'users' does not exist — create it first: userstream setup, or userstream kafka topics create users")
        let refused = CQLError.connectionFailed(host: "db1:9042", reason: "connection refused")
        #expect(CommandLineHints.message("\(refused)", for: refused)
                == "could not connect to db1:9042: connection refused — is Cassandra running and listening for CQL (port 9042)? check --sink")
    }

    @Test("errors that wrap a Kafka or Cassandra error get its hint")
    func wrappedErrors() {
        let unreachable = CassandraSinkError.unreachable(sink: "cassandra://db1/ks", .connectionFailed(host: "db1:9042", reason: "refused"))
        #expect(CommandLineHints.hint(for: unreachable) == "is Cassandra running and listening for CQL (port 9042)? check --sink")
        let write = CassandraSinkError.writeFailed(userID: "1", table: "ks.created_users", attempts: 3,
                                                   .authenticationRequired(host: "db1:9042", authenticator: "PasswordAuthenticator"))
        #expect(CommandLineHints.hint(for: write) == "put user:password@ in --sink")
        let publish = UserIngest.IngestError.publishFailed(topic: "users", reason: .unknownTopic("users"))
        #expect(CommandLineHints.hint(for: publish) == "create it first: userstream setup, or userstream kafka topics create users")
    }

    @Test("the sinks' and Spark's errors name no flag or command: the command line adds them")
    func libraryErrorsGetTheCommandLinesWords() {
        let hints: [(any Error, String)] = [
            (CassandraSinkError.prepareFailed(table: "ks.t", .server(CQLServerError(code: .invalid, message: "no table"), host: "db1:9042")),
             "run `userstream setup` with the same --sink to create it with all twelve columns"),
            (SQLiteSinkError.missing(path: "data/users.db"), "`userstream setup` or `userstream stream` creates it"),
            (SQLiteSinkError.directoryNotWritable(path: "/ro/users.db", directory: "/ro", detail: "permission denied"),
             "choose another --sink sqlite:PATH"),
            (SinkTableMismatch(table: "created_users in users.db", differences: ["no column email"]),
             "rename or drop that table (setup creates it when missing) or use another --sink"),
            (SparkConnectError.unreachable(address: "127.0.0.1:15002", detail: "refused"), "set --remote sc://host:port"),
        ]
        for (error, hint) in hints {
            #expect(!"\(error)".contains("--") && !"\(error)".contains("userstream setup"), "\(error)")
            #expect(CommandLineHints.hint(for: error) == hint, "\(error)")
        }
    }

    @Test("a sink setting that cannot be used is a usage error naming its flag")
    func sinkSettingsNameTheirFlag() {
        let usages: [(SinkConfigurationError, String)] = [
            (.unknownSink("mysql://db"), "--sink mysql://db is neither a SQLite nor a Cassandra location"),
            (.missingSQLitePath, "--sink sqlite: names no file"),
            (.invalidKeyspace("bad keyspace"), "--sink keyspace 'bad keyspace' is not a valid Cassandra name"),
            (.invalidReplication("Nope", "unknown strategy"), "--replication Nope: unknown strategy"),
            (.invalidConsistency("MOST"), "--consistency MOST is not a consistency level"),
            (.incompleteCredentials(.userNameEmpty), "the Cassandra user name is empty — set --sink-username"),
            (.incompleteCredentials(.password), "without a password — use --sink-password-file, USERSTREAM_CASSANDRA_PASSWORD"),
            (.incompleteCredentials(.userName), "without a user name — use --sink-username, USERSTREAM_CASSANDRA_USERNAME"),
        ]
        for (error, usage) in usages {
            #expect(!"\(error)".contains("--"), "\(error)")
            #expect(CommandLineHints.usage(error).contains(usage), "\(CommandLineHints.usage(error))")
        }
    }

    @Test("errors whose message says enough are left alone")
    func noHint() {
        let others: [any Error] = [
            KafkaError.requestTimedOut(Self.address, api: "Metadata", after: .seconds(30)),
            KafkaError.shutDown,
            CQLError.server(CQLServerError(code: .invalid, message: "unconfigured table"), host: "db1:9042"),
            CassandraSinkError.prepareFailed(table: "ks.t", .server(CQLServerError(code: .overloaded, message: "busy"), host: "db1:9042")),
            SQLiteSinkError.databaseGone(path: "users.db", detail: "was deleted"),
            UserIngest.IngestError.apiUnavailable(url: "http://api", failures: 5, lastError: "timeout"),
            HintedError(error: KafkaError.unknownTopic("users"), hint: "already hinted"),
            CommandFailure("something"),
        ]
        for error in others {
            #expect(CommandLineHints.hint(for: error) == nil, "\(error)")
            #expect(CommandLineHints.message("text", for: error) == "text")
        }
    }

    @Test("every flag a hint names is one the commands accept")
    func hintsNameRealFlags() throws {
        let connection = ConnectionOptions.helpMessage()
        let sink = SinkOptions.helpMessage()
        let stream = StreamCommand.helpMessage()
        for flag in ["--bootstrap-servers", "--sasl-mechanism", "--sasl-username", "--sasl-password"] {
            #expect(connection.contains(flag), "\(flag)")
        }
        #expect(sink.contains("--sink "))
        #expect(stream.contains("--group "))
    }
}
