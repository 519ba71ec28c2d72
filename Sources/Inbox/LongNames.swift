import Foundation
import Synchronization
import SystemPackage

/// Original names of claims whose work/ name had to be cut to fit 255 bytes,
/// one JSON line each (`{"id":…,"name":…}`), so that recovery files them under
/// their real name.
final class LongNames: Sendable {
    let path: String
    private let lock = Mutex(())

    init(path: String) { self.path = path }

    private struct Entry: Codable { var id: String, name: String }

    func note(id: String, original: String) {
        guard let line = try? JSONEncoder().encode(Entry(id: id, name: original)) else { return }
        lock.withLock { _ in
            guard
                let fd = try? FileDescriptor.open(
                    FilePath(path), .writeOnly, options: [.create, .append, .closeOnExec],
                    permissions: [.ownerReadWrite, .groupRead, .otherRead])
            else { return }
            _ = try? fd.writeAll(Array(line) + [0x0A])
            try? fd.close()
        }
    }

    /// Claim id → original name.
    func all() -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        let entries = text.split(separator: "\n").compactMap {
            try? JSONDecoder().decode(Entry.self, from: Data($0.utf8))
        }
        return Dictionary(entries.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    func clear() { unlink(path) }
}
