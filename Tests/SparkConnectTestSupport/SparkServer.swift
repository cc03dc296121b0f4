import Foundation

/// The Spark Connect server the integration tests use: `SPARK_REMOTE` (sc://host:port), set by
/// scripts/test.sh after it starts one with scripts/spark-connect.sh.
public enum SparkServer {
    public static let remote: String? = ProcessInfo.processInfo.environment["SPARK_REMOTE"]
    public static var available: Bool { remote != nil }
}
