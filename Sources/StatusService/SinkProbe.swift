import Foundation
import UserSinks

/// Reads the sink's side of the status: how many users it holds and when they were last
/// written. Opens the sink on first use and again after a failure, so a sink that comes up
/// later is seen.
public actor SinkProbe {
    /// Where the sink is, as shown in the status.
    public nonisolated let location: String
    private let open: @Sendable () async throws -> any UserSink
    private let lastWrite: @Sendable () -> Date?
    private var sink: (any UserSink)?

    /// A probe of the sink `open` returns; `lastWrite` says when users were last written, if known.
    public init(location: String, open: @escaping @Sendable () async throws -> any UserSink, lastWrite: @escaping @Sendable () -> Date?) {
        self.location = location
        self.open = open
        self.lastWrite = lastWrite
    }

    /// Rows and last write time; a sink that cannot be read is reported, not thrown.
    public func read() async -> PipelineStatus.Sink {
        do {
            let sink = try await opened()
            let rows = try await sink.count()
            // An empty sink has had no users written, whatever its files' times say.
            return PipelineStatus.Sink(location: location, rows: rows, lastWrite: rows > 0 ? lastWrite() : nil)
        } catch {
            // Closed, not just dropped: a Cassandra session keeps its connections until closed.
            await close()
            return PipelineStatus.Sink(location: location, rows: nil, lastWrite: lastWrite(), error: "\(error)")
        }
    }

    /// Closes the sink if the probe opened it.
    public func close() async {
        let open = sink
        sink = nil
        try? await open?.close()
    }

    private func opened() async throws -> any UserSink {
        if let sink { return sink }
        let sink = try await open()
        self.sink = sink
        return sink
    }

    /// The latest modification time among `paths` (a SQLite database and its WAL file). An empty
    /// file holds no write: a reader opening the database creates an empty WAL file.
    public static func lastModified(_ paths: [String]) -> Date? {
        paths.compactMap { path in
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  (attributes[.size] as? Int ?? 0) > 0 else { return nil }
            return attributes[.modificationDate] as? Date
        }.max()
    }
}
