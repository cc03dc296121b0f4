import ArgumentParser
import Logging

/// `userstream query`: stored users as JSON lines, like the seed's `select * from created_users`.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Print stored users as JSON lines (the seed's `select * from spark_streams.created_users`)."
    )

    @OptionGroup var sink: SinkOptions

    @Option(help: "Print at most this many users.")
    var limit: Int?

    @Flag(help: "Print only the number of stored users.")
    var count = false

    func validate() throws {
        _ = try NumberSetting.count("--limit", from: 0, to: Int(Int32.max)).resolve(limit)
    }

    func run() async throws {
        let store = try await sink.location().openForReading(logger: Logger(label: "userstream.sink"))
        try await closing(store.close) {
            if count {
                print(try await store.count())
            } else {
                var output = ""
                for user in try await store.query(limit: limit) {
                    output += String(decoding: user.jsonBytes(), as: UTF8.self)
                    output += "\n"
                    if output.utf8.count > 1 << 16 {
                        try OutputFailure.writeAll(output)
                        output = ""
                    }
                }
                try OutputFailure.writeAll(output)
            }
        }
    }
}
