import Logging

extension Logger {
    /// A logger that lets through only `level` and above: the libraries' info lines (a server
    /// started or stopping, a group's services starting) would repeat what the command prints.
    static func quiet(_ label: String, from level: Logger.Level = .warning) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}
