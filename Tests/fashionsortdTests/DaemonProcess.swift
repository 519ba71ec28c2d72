import Foundation
import TestSupport

/// The real built `fashionsortd`, started on a temporary state directory.
final class DaemonProcess {
    let root: String
    let logPath: String
    let process = Process()

    static var binary: String { builtProduct("fashionsortd") }

    /// The log lives outside the state directory, which may not exist (or be creatable).
    init(root: String, arguments: [String] = []) throws {
        self.root = root
        logPath = temporaryDirectory("daemon-log") + "/fashionsortd.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--root", root, "--instance", "t"] + arguments
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until the log contains `text`.
    @discardableResult
    func wait(for text: String, timeout: Double = 20) -> Bool {
        waitUntil(timeout: timeout) { self.log.contains(text) }
    }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Exit status, or nil if still running after `timeout`.
    func waitExit(timeout: Double) -> Int32? {
        waitUntil(timeout: timeout) { !self.process.isRunning } ? process.terminationStatus : nil
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
}
