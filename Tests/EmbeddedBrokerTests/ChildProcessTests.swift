import Foundation
import Testing
@testable import EmbeddedBroker

@Suite(.serialized) struct ChildProcessTests {
    /// The signal numbers set in a `/proc/PID/status` mask line such as `SigIgn`.
    func mask(_ field: String, of pid: pid_t) throws -> UInt64 {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix(field + ":") })
        return try #require(UInt64(line.split(separator: "\t").last!, radix: 16))
    }

    @Test func aChildOfAProcessIgnoringSIGTERMStartsWithTheDefaultAndEndsOnIt() throws {
        signal(SIGTERM, SIG_IGN)
        defer { signal(SIGTERM, SIG_DFL) }
        let output = try #require(FileHandle(forWritingAtPath: "/dev/null"))
        let child = try ChildProcess.spawn("/bin/sleep", arguments: ["60"], output: output)
        let sigterm = UInt64(1) << (SIGTERM - 1)
        #expect(try mask("SigIgn", of: child.pid) & sigterm == 0)
        #expect(try mask("SigBlk", of: child.pid) & sigterm == 0)
        child.send(SIGTERM)
        child.waitUntilExit()
        #expect(child.exitDescription == "signal \(SIGTERM)")
    }
}
