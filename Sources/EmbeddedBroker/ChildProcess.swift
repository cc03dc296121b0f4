import Foundation
import Synchronization

/// A child process that dies with this one, even on SIGKILL (Linux `PR_SET_PDEATHSIG`, set by
/// util-linux's `setpriv` before it execs the program), and starts with default signal
/// handling: a process that handles SIGTERM and SIGINT itself may ignore or block them, and a
/// child inheriting that could not be stopped.
///
/// Hand-written rather than swift-subprocess: the death signal follows the thread that spawned
/// the child, so that thread must live as long as the child; swift-subprocess spawns from
/// whichever thread runs the calling task, which may end first, and kills the broker with it.
final class ChildProcess: Sendable {
    let pid: pid_t
    private let exitStatus = Mutex<Int32?>(nil)
    private let exited = DispatchSemaphore(value: 0)

    var isRunning: Bool { exitStatus.withLock { $0 == nil } }

    /// How the child ended, for messages: "exit status N" or "signal N"; "running" before.
    var exitDescription: String {
        guard let status = exitStatus.withLock({ $0 }) else { return "running" }
        let signal = status & 0x7f
        return signal == 0 ? "exit status \((status >> 8) & 0xff)" : "signal \(signal)"
    }

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts `executable` with `arguments`, its output and errors to `output`, input from /dev/null.
    static func spawn(_ executable: String, arguments: [String], workingDirectory: String? = nil,
                      output: FileHandle) throws -> ChildProcess {
        let setpriv = "/usr/bin/setpriv"
        let argv = FileManager.default.isExecutableFile(atPath: setpriv)
            ? [setpriv, "--pdeathsig", "KILL", "--", executable] + arguments
            : [executable] + arguments
        let started = Mutex<Result<pid_t, SpawnError>?>(nil)
        let spawned = DispatchSemaphore(value: 0)
        let child = Mutex<ChildProcess?>(nil)
        let outputDescriptor = output.fileDescriptor
        // The death signal follows the thread that spawned the child, not the process: this
        // thread lives until the child exits, waiting for it.
        let waiter = Thread {
            let result = Self.posixSpawn(argv, workingDirectory: workingDirectory, output: outputDescriptor)
            started.withLock { $0 = result }
            guard case .success(let pid) = result else {
                spawned.signal()
                return
            }
            let process = ChildProcess(pid: pid)
            child.withLock { $0 = process }
            spawned.signal()
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            process.exitStatus.withLock { $0 = status }
            process.exited.signal()
        }
        waiter.start()
        spawned.wait()
        switch started.withLock({ $0 })! {
        case .success: return child.withLock { $0 }!
        case .failure(let error): throw error
        }
    }

    /// Sends `signal` unless the child has exited.
    func send(_ signal: Int32) {
        guard isRunning else { return }
        kill(pid, signal)
    }

    /// Blocks until the child has exited.
    func waitUntilExit() {
        guard isRunning else { return }
        exited.wait()
        exited.signal()  // for any other waiter
    }

    struct SpawnError: Error, CustomStringConvertible {
        let executable: String
        let code: Int32
        var description: String { "cannot start \(executable): \(String(cString: strerror(code)))" }
    }

    /// glibc's posix_spawn_file_actions_addchdir_np, which the Glibc module does not declare.
    private static let addChangeDirectory: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
    }()

    private static func posixSpawn(_ argv: [String], workingDirectory: String?, output: Int32) -> Result<pid_t, SpawnError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, output, STDERR_FILENO)
        if let workingDirectory, let addChangeDirectory = Self.addChangeDirectory {
            _ = addChangeDirectory(&actions, workingDirectory)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var handled = sigset_t()
        sigemptyset(&handled)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&handled, signal) }
        posix_spawnattr_setsigdefault(&attributes, &handled)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid = pid_t()
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        let code = posix_spawn(&pid, argv[0], &actions, &attributes, &cArguments, environ)
        return code == 0 ? .success(pid) : .failure(SpawnError(executable: argv[0], code: code))
    }
}
