import Foundation

/// Polls `condition` every 20 ms until it holds or `timeout` seconds pass; its last answer.
@discardableResult
public func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date(timeIntervalSinceNow: timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

/// A small tmpfs mounted at `path` for a test that needs a full or read-only filesystem;
/// nil (with the reason) where this machine cannot mount one, e.g. without root.
public func mountTmpfs(at path: String, kilobytes: Int) -> String? {
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    let status = run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path])
    return status == 0 ? nil : "cannot mount a tmpfs here (mount exited \(status)): needs root"
}

public func remount(_ path: String, readOnly: Bool) {
    _ = run("/bin/mount", ["-o", readOnly ? "remount,ro" : "remount,rw", path])
}

public func unmount(_ path: String) { _ = run("/bin/umount", ["-l", path]) }

@discardableResult
public func run(_ tool: String, _ arguments: [String]) -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = arguments
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return -1 }
    p.waitUntilExit()
    return p.terminationStatus
}
