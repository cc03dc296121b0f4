import Foundation

/// `USERSTREAM_…` settings: every flag of the pipeline commands has one; empty counts as unset.
/// Numbers are read through `NumberSetting`, which checks them.
enum Environment {
    static func string(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}

extension Duration {
    /// A duration from a number of seconds as given on the command line (checked by `NumberSetting.seconds`).
    init(seconds: Double) {
        self = .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
