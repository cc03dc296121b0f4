/// Which records a consumer sees: all, or only those of committed transactions.
public enum IsolationLevel: Int8, Sendable {
    case readUncommitted = 0
    case readCommitted = 1
}
