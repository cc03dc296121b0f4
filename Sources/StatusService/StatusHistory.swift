import Foundation
import Retry

/// One point of the status page's charts: cumulative figures at a moment, so rates are the
/// differences between neighbours.
public struct StatusSample: Sendable, Codable, Equatable {
    public var time: Date
    public var endOffsetTotal: Int64
    public var committedTotal: Int64
    public var totalLag: Int64
    public var dlqSize: Int64
    public var rows: Int?

    /// The sample of `status`.
    public init(_ status: PipelineStatus) {
        time = status.time
        endOffsetTotal = status.endOffsetTotal
        committedTotal = status.committedTotal
        totalLag = status.totalLag
        dlqSize = status.dlqSize
        rows = status.sink.rows
    }
}

/// The samples of the last `window`, oldest first.
struct StatusHistory: Sendable {
    let window: TimeInterval
    private(set) var samples: [StatusSample] = []

    init(window: Duration) {
        self.window = window.fractionalSeconds
    }

    mutating func append(_ sample: StatusSample) {
        samples.append(sample)
        let oldest = sample.time.addingTimeInterval(-window)
        if let keep = samples.firstIndex(where: { $0.time >= oldest }), keep > 0 {
            samples.removeFirst(keep)
        }
    }
}
