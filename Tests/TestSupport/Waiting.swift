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

/// Mounts a small tmpfs at `path` for a test that needs a full or read-only filesystem.
@discardableResult
public func mountTmpfs(at path: String, kilobytes: Int) -> Bool {
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path]) == 0
}

/// Whether this machine lets the tests mount a tmpfs (root is needed): suites that need one are
/// disabled, and reported as skipped with that reason, where it does not.
public let canMountTmpfs: Bool = {
    let probe = temporaryDirectory("mount-probe")
    defer { unmount(probe) }
    return mountTmpfs(at: probe, kilobytes: 16)
}()

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
