import Foundation
import PackagePlugin

/// Records the git commit the binary is built from, for `userstream --version`. A prebuild command
/// runs git before every build, so the commit is never stale; it writes into the build folder only
/// (the checkout stays clean) and rewrites the file only when the commit changed, so an unchanged
/// checkout recompiles nothing. Outside a git checkout (a source archive, an image build without
/// .git) the commit is unknown rather than the build failing.
@main
struct BuildCommitPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        return [.prebuildCommand(
            displayName: "Recording the git commit of \(context.package.directoryURL.path)",
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: ["-c", Self.script, "build-commit", context.package.directoryURL.path, output.path],
            outputFilesDirectory: output
        )]
    }

    /// $1: the checkout, $2: the output folder. safe.directory: a checkout owned by another user
    /// (a CI clone, a container's bind mount) is still read. "-modified": tracked files differ
    /// from the commit.
    static let script = #"""
        checkout=$1 out=$2
        mkdir -p "$out"
        git() { command git -C "$checkout" -c safe.directory='*' --no-optional-locks "$@"; }
        if commit=$(git rev-parse --short=12 HEAD 2>/dev/null); then
          [ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || commit="$commit-modified"
          value="\"$commit\""
        else
          value=nil
        fi
        text="/// The git commit this binary was built from (nil: not built in a git checkout).
        let buildCommit: String? = $value"
        [ "$(cat "$out/BuildCommit.swift" 2>/dev/null)" = "$text" ] || printf '%s\n' "$text" >"$out/BuildCommit.swift"
        """#
}
