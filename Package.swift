// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "userstream",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "userstream", targets: ["userstream"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "CQL", targets: ["CQL"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        // Debian's zlib, lz4, snappy and zstd, for record batch compression.
        .systemLibrary(name: "CKafkaCompression", path: "Sources/CKafkaCompression"),
        .target(
            name: "KafkaProtocol",
            dependencies: [
                "CKafkaCompression",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Kafka",
            dependencies: [
                "KafkaProtocol",
                "Retry",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The proleptic Gregorian calendar: the one date rule of CQL binding, the contract and the stand-in API.
        .target(name: "CivilCalendar"),
        // Passwords in URLs hidden from every message and log line.
        .target(name: "Redaction"),
        .target(
            name: "CQL",
            dependencies: [
                "CivilCalendar",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SparkConnect",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        // The users_created data contract (the User record, its JSON, the embedded JSON Schema) and
        // its validation; no I/O.
        .target(
            name: "UserContract",
            dependencies: [
                "CivilCalendar",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Capped exponential backoff with jitter, used by every retry loop: Kafka, the sinks, the
        // randomuser.me client, the stream's writes.
        .target(name: "Retry"),
        // A service run in a service group of its own for the span of a call, shut down when the call is done.
        .target(
            name: "ServiceScope",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The randomuser.me client: fetching, parsing and formatting users.
        .target(
            name: "RandomUserAPI",
            dependencies: [
                "UserContract",
                "Retry",
                "Redaction",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // A Tansu broker as a child process that dies with this one, run as a service.
        .target(
            name: "EmbeddedBroker",
            dependencies: [
                "Kafka",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Consumed records as JSON lines, written in one pass.
        .target(
            name: "RecordJSONLines",
            dependencies: [
                "Kafka",
                "KafkaProtocol",
                "UserContract",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // A stand-in randomuser.me server (`userstream serve-api`, tests).
        .target(
            name: "StandInAPI",
            dependencies: [
                "UserContract",
                "RandomUserAPI",
                "CivilCalendar",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Where streamed users are stored: SQLite and Cassandra.
        .target(
            name: "UserSinks",
            dependencies: [
                "UserContract",
                "Retry",
                "CQL",
                "Redaction",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The pipeline's swift-metrics instruments and their Prometheus export.
        .target(
            name: "Metering",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Pipeline status: probes of Kafka and the sink, the monitor, and the Hummingbird status server.
        .target(
            name: "StatusService",
            dependencies: [
                "Metering",
                "Retry",
                "UserSinks",
                "Kafka",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The domain flows: ingest (randomuser.me → Kafka) and stream (Kafka → sink).
        .target(
            name: "UserPipeline",
            dependencies: [
                "UserContract",
                "RandomUserAPI",
                "UserSinks",
                "Metering",
                "Kafka",
                "Retry",
                "ServiceScope",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Reconciliation of the users topic, its dead-letter topic and the sink (`userstream verify`).
        .target(
            name: "Reconciliation",
            dependencies: [
                "Kafka",
                "UserContract",
                "UserPipeline",
                "UserSinks",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // A client of a Confluent-compatible schema registry's REST API.
        .target(
            name: "SchemaRegistry",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "userstream",
            dependencies: [
                "UserPipeline",
                "Reconciliation",
                "UserContract",
                "RandomUserAPI",
                "StandInAPI",
                "UserSinks",
                "Metering",
                "StatusService",
                "EmbeddedBroker",
                "RecordJSONLines",
                "Kafka",
                "SparkConnect",
                "SchemaRegistry",
                "Redaction",
                "CQL",
                "KafkaProtocol",
                "Retry",
                "ServiceScope",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            plugins: ["BuildCommitPlugin"]
        ),
        // The git commit of the build, for `userstream --version`; under Sources so that every
        // copy of the sources (the Dockerfile's) carries it.
        .plugin(name: "BuildCommitPlugin", capability: .buildTool(), path: "Sources/BuildCommitPlugin"),
        // Generates Sources/KafkaProtocol/Generated from Kafka's JSON message definitions.
        .executableTarget(name: "kafka-codegen", path: "Sources/KafkaCodegen"),
        .testTarget(name: "KafkaProtocolTests", dependencies: ["KafkaProtocol", .product(name: "NIOCore", package: "swift-nio")]),
        // Starts a real Tansu broker (scripts/tansu.sh) for integration tests; not part of any product.
        .target(name: "KafkaTestSupport", dependencies: ["Kafka"], path: "Tests/KafkaTestSupport"),
        .testTarget(
            name: "KafkaTests",
            dependencies: [
                "Kafka",
                "KafkaProtocol",
                "KafkaTestSupport",
                "ServiceScope",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "RetryTests", dependencies: ["Retry"]),
        // A scripted CQL protocol peer (a test server answering from a script, not Cassandra) and
        // response builders, shared by the CQL and Cassandra sink tests; not part of any product.
        .target(
            name: "CQLTestSupport",
            dependencies: [
                "CQL",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/CQLTestSupport"
        ),
        .testTarget(
            name: "CQLTests",
            dependencies: [
                "CQL",
                "CQLTestSupport",
                "CivilCalendar",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "CivilCalendarTests", dependencies: ["CivilCalendar"]),
        .testTarget(name: "RedactionTests", dependencies: ["Redaction"]),
        // A randomuser.me answer, the user it becomes and the stand-in API on a loopback port,
        // shared by the tests; not part of any product.
        .target(
            name: "UserTestSupport",
            dependencies: [
                "UserContract",
                "RandomUserAPI",
                "StandInAPI",
                "ServiceScope",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/UserTestSupport"
        ),
        .testTarget(
            name: "UserContractTests",
            dependencies: ["UserContract", "RandomUserAPI", "StandInAPI", "UserTestSupport", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "RandomUserAPITests",
            dependencies: [
                "RandomUserAPI",
                "UserContract",
                "UserPipeline",
                "StandInAPI",
                "Retry",
                "UserTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "StandInAPITests",
            dependencies: [
                "StandInAPI",
                "RandomUserAPI",
                "UserContract",
                "UserTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "UserSinksTests",
            dependencies: [
                "UserSinks",
                "UserContract",
                "RandomUserAPI",
                "StandInAPI",
                "Retry",
                "CQL",
                "CQLTestSupport",
                "Kafka",
                "KafkaTestSupport",
                "UserTestSupport",
                "ServiceScope",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "StatusServiceTests",
            dependencies: [
                "StatusService",
                "Metering",
                "Kafka",
                "UserSinks",
                "UserContract",
                "ServiceScope",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "UserPipelineTests",
            dependencies: [
                "UserPipeline",
                "UserContract",
                "Retry",
                "RandomUserAPI",
                "StandInAPI",
                "UserSinks",
                "Metering",
                "Kafka",
                "KafkaTestSupport",
                "ServiceScope",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ReconciliationTests",
            dependencies: ["Reconciliation", "UserContract"]
        ),
        // Where the tests find Spark Connect and pyspark; not part of any product.
        .target(name: "SparkConnectTestSupport", path: "Tests/SparkConnectTestSupport"),
        .testTarget(name: "SparkConnectTests", dependencies: ["SparkConnect", "SparkConnectTestSupport"]),
        .testTarget(
            name: "CommandLineTests",
            dependencies: [
                "userstream",
                "UserSinks",
                "UserPipeline",
                "Kafka",
                "CQL",
                "SparkConnect",
                "SparkConnectTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(name: "RecordJSONLinesTests", dependencies: ["RecordJSONLines", "Kafka", "KafkaProtocol", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(
            name: "EmbeddedBrokerTests",
            dependencies: [
                "EmbeddedBroker",
                "Kafka",
                "KafkaTestSupport",
                "ServiceScope",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
