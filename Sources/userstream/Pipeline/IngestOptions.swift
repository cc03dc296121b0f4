import ArgumentParser
import UserPipeline

/// How `produce` and `up` pull on the API.
struct IngestOptions: ParsableArguments {
    @Option(name: .customLong("count"), help: "Publish exactly this many users, however long it takes (env USERSTREAM_COUNT).")
    private var countOption: Int?
    var count: Int? { countOption ?? Environment.int("USERSTREAM_COUNT") }

    @Option(help: "Users per API request, 1…5000 (env USERSTREAM_BATCH).")
    var batch: Int = Environment.int("USERSTREAM_BATCH") ?? 1000

    @Option(help: "API requests in flight at once (env USERSTREAM_CONCURRENCY).")
    var concurrency: Int = Environment.int("USERSTREAM_CONCURRENCY") ?? 4

    @Option(help: "Seconds before an API request times out (env USERSTREAM_API_TIMEOUT).")
    var apiTimeout: Double = Environment.double("USERSTREAM_API_TIMEOUT") ?? 10

    func validate() throws {
        guard (1...5000).contains(batch) else { throw ValidationError("--batch must be 1…5000 (the API's limit), got \(batch)") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1, got \(concurrency)") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
        guard apiTimeout > 0 else { throw ValidationError("--api-timeout must be positive, got \(apiTimeout)") }
    }

    /// The ingest settings for `topic`, running `--count` users or else `duration` seconds.
    func settings(topic: String, duration: Double) throws -> IngestSettings {
        guard duration > 0 else { throw ValidationError("--duration must be positive, got \(duration)") }
        return IngestSettings(topic: topic, stop: count.map { .count($0) } ?? .after(Duration(seconds: duration)),
                              batchSize: batch, concurrency: concurrency)
    }
}
