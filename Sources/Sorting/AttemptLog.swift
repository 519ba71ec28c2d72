import Foundation
import Synchronization
import SystemPackage

/// Decode attempts of the files in work/: `+id` just before a file's decode,
/// `-id` just after. A file with a `+` and no `-` was being decoded when the
/// daemon died; one that did so twice is quarantined, not retried forever,
/// while its batch-mates collect no strike.
final class AttemptLog: Sendable {
    let path: String
    private let file = Mutex<FileDescriptor?>(nil)

    init(path: String) { self.path = path }

    deinit { try? file.withLock { $0 }?.close() }

    /// Unfinished decodes per claim id.
    func strikes() -> [String: Int] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        return text.split(separator: "\n").reduce(into: [:]) { counts, line in
            if line.hasPrefix("-") {
                counts[String(line.dropFirst()), default: 0] -= 1
            } else {
                counts[String(line.hasPrefix("+") ? line.dropFirst() : line), default: 0] += 1
            }
        }
    }

    func begin(_ id: String) { append("+\(id)\n") }
    func end(_ id: String) { append("-\(id)\n") }

    /// No fsync: the marks guard against a decoder that kills the process, and
    /// a written page outlives the process; only a power cut loses one (the
    /// photo is then simply tried once more).
    private func append(_ line: String) {
        file.withLock { fd in
            if fd == nil {
                fd = try? FileDescriptor.open(
                    FilePath(path), .writeOnly, options: [.create, .append, .closeOnExec],
                    permissions: [.ownerReadWrite, .groupRead, .otherRead])
            }
            _ = try? fd?.writeAll(Array(line.utf8))
        }
    }

    /// Starts afresh; only between decodes, when no mark is open.
    func clear() {
        file.withLock { fd in
            if let open = fd { _ = ftruncate(open.rawValue, 0) } else { unlink(path) }
        }
    }

    /// Bytes written so far, to keep the file small over a long run.
    var size: Int64 { (try? FilePath(path).stat().size) ?? 0 }
}
