import Foundation

/// `USERSTREAM_…` settings: every flag of the pipeline commands has one; empty counts as unset.
enum Environment {
    static func string(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func int(_ name: String) -> Int? { string(name).flatMap(Int.init) }

    static func double(_ name: String) -> Double? { string(name).flatMap(Double.init) }
}

extension Duration {
    /// A duration from a number of seconds as given on the command line.
    init(seconds: Double) {
        self = .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
