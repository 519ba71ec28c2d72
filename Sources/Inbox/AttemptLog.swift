import Foundation
import SystemPackage

/// Decode attempts of the files in work/, one claim id per line: a file that
/// was being decoded when the daemon died twice is quarantined, not retried forever.
struct AttemptLog {
    let path: String

    func counts() -> [String: Int] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        return text.split(separator: "\n").reduce(into: [:]) { $0[String($1), default: 0] += 1 }
    }

    /// No fsync: the count guards against a decoder that kills the process, and
    /// a written page outlives the process; only a power cut loses it (the
    /// photo is then tried once more).
    func note(_ ids: [String]) {
        guard
            let fd = try? FileDescriptor.open(
                FilePath(path), .writeOnly, options: [.create, .append, .closeOnExec],
                permissions: [.ownerReadWrite, .groupRead, .otherRead])
        else { return }
        _ = try? fd.writeAll(Array(ids.map { $0 + "\n" }.joined().utf8))
        try? fd.close()
    }

    func clear() { unlink(path) }
}
