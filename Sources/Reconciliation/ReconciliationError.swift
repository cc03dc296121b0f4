/// Why a reconciliation could not finish. Messages name no flag: the command line adds those.
public enum ReconciliationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The temporary working file could not be made or written (a full or read-only directory).
    case spillFailed(directory: String?, detail: String)
    /// A partition stopped yielding records before the end offset taken at the start.
    case stalled(topic: String, partition: Int32, at: Int64, end: Int64)

    public var description: String {
        switch self {
        case .spillFailed(let directory?, let detail):
            "cannot use a temporary file in \(directory) for the comparison: \(detail)"
        case .spillFailed(nil, let detail):
            "the temporary file of the comparison failed: \(detail) — is its directory full?"
        case .stalled(let topic, let partition, let offset, let end):
            "reading \(topic) partition \(partition) stopped at offset \(offset) before its end \(end): the broker returned nothing more"
        }
    }
}
