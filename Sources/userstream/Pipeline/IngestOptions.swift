import ArgumentParser
import UserPipeline

/// How `produce` and `up` pull on the API.
struct IngestOptions: ParsableArguments {
    @Option(name: .customLong("count"), help: "Publish exactly this many users, however long it takes (env USERSTREAM_COUNT).")
    private var countOption: Int?
    var count: Int? { get throws { try Self.count.resolve(countOption) } }

    @Option(name: .customLong("batch"), help: "Users per API request, 1…5000; default 1000 (env USERSTREAM_BATCH).")
    private var batchOption: Int?
    var batch: Int { get throws { try Self.batch.resolve(batchOption, default: 1000) } }

    @Option(name: .customLong("concurrency"), help: "API requests in flight at once; default 4 (env USERSTREAM_CONCURRENCY).")
    private var concurrencyOption: Int?
    var concurrency: Int { get throws { try Self.concurrency.resolve(concurrencyOption, default: 4) } }

    @Option(name: .customLong("api-timeout"), help: "Seconds before an API request times out; default 10 (env USERSTREAM_API_TIMEOUT).")
    private var apiTimeoutOption: Double?
    var apiTimeout: Double { get throws { try Self.apiTimeout.resolve(apiTimeoutOption, default: 10) } }

    private static let count = NumberSetting<Int>.count("--count", variable: "USERSTREAM_COUNT")
    private static let batch = NumberSetting<Int>("--batch", variable: "USERSTREAM_BATCH", bounds: 1...5000,
                                                  expected: "1…5000 (the API's limit)")
    private static let concurrency = NumberSetting<Int>.count("--concurrency", variable: "USERSTREAM_CONCURRENCY", to: 1024)
    private static let apiTimeout = NumberSetting.seconds("--api-timeout", variable: "USERSTREAM_API_TIMEOUT")

    func validate() throws {
        _ = try (count, batch, concurrency, apiTimeout)
    }

    /// The ingest settings for `topic`, running `--count` users or else `duration` seconds.
    func settings(topic: String, duration: Double) throws -> IngestSettings {
        IngestSettings(topic: topic, stop: try count.map { .count($0) } ?? .after(Duration(seconds: duration)),
                       batchSize: try batch, concurrency: try concurrency)
    }
}
