import Foundation
import Inbox
import SystemPackage

/// An exclusive flock(2) on work/<instance>/.lock, held while the daemon runs:
/// a second daemon with the same instance on the same state directory would
/// finish the first one's files as its own leftovers. The kernel releases the
/// lock when the process dies, so even kill -9 leaves no stale lock.
public struct InstanceLock: ~Copyable, Sendable {
    private let file: FileDescriptor

    public init(_ layout: Layout) throws(InboxError) {
        let path = "\(layout.work)/.lock"
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(
                FilePath(path), .readWrite, options: [.create, .closeOnExec],
                permissions: [.ownerReadWrite, .groupRead, .otherRead])
        } catch {
            throw .folder(path: path, reason: "cannot open the instance lock: \(error)")
        }
        guard flock(fd.rawValue, LOCK_EX | LOCK_NB) == 0 else {
            let holder =
                (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            try? fd.close()
            throw .locked(
                path: path,
                reason: "another fashionsortd (pid \(holder)) runs instance '\(layout.instance)' on \(layout.root); "
                    + "stop it, or give this one another instance name")
        }
        _ = ftruncate(fd.rawValue, 0)
        _ = try? fd.writeAll(toAbsoluteOffset: 0, Array("\(getpid())\n".utf8))
        file = fd
    }

    deinit { try? file.close() }
}
