import Foundation

/// The real built `fashionsortd`, started on a temporary state directory.
public final class DaemonProcess {
    public let root: String
    public let logPath: String
    public let process = Process()

    public static var binary: String { builtProduct("fashionsortd") }

    /// Started with `--root ROOT --instance INSTANCE`, then `arguments`; `environment` adds to the test's own.
    /// The log lives outside the state directory, which may not exist (or be creatable).
    public init(
        root: String, instance: String = "t", arguments: [String] = [], environment: [String: String] = [:],
        logPath: String? = nil
    ) throws {
        self.root = root
        let logPath = logPath ?? temporaryDirectory("daemon-log") + "/fashionsortd.log"
        self.logPath = logPath
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--root", root, "--instance", instance] + arguments
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = FileHandle.nullDevice
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        try process.run()
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until the log contains `text`.
    @discardableResult
    public func wait(for text: String, timeout: Double = 20) -> Bool {
        waitUntil(timeout: timeout) { self.log.contains(text) }
    }

    public func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Exit status, or nil if still running after `timeout`.
    public func waitExit(timeout: Double) -> Int32? {
        waitUntil(timeout: timeout) { !self.process.isRunning } ? process.terminationStatus : nil
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
}
