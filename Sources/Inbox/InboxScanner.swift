import FileSystem
import Foundation
import Synchronization

/// The backlog scan at start-up, after a queue overflow and every few
/// minutes. A scanned file may still be being written (no close event seen
/// yet), so it is taken only when it has been quiet for `settle` seconds or
/// is unchanged since the previous scan.
final class InboxScanner: Sendable {
    let folder: String
    let recursive: Bool
    private struct Seen { var size: Int64, mtime: Int }
    private struct State {
        var lastSeen: [String: Seen] = [:]
        /// Files the last scan saw but did not take yet: the caller scans again soon.
        var waiting = 0
    }
    private let state = Mutex(State())

    init(folder: String, recursive: Bool) {
        self.folder = folder
        self.recursive = recursive
    }

    var waiting: Int { state.withLock { $0.waiting } }

    /// Paths ready to be processed.
    func scan(settle: Double, now: Date = Date()) -> [String] {
        state.withLock { state in
            var ready: [String] = [], seen: [String: Seen] = [:]
            walk(folder) { path, st in
                let key = Seen(
                    size: Int64(st.st_size), mtime: Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec))
                seen[path] = key
                let age = now.timeIntervalSince1970 - Double(st.st_mtim.tv_sec) - Double(st.st_mtim.tv_nsec) / 1e9
                let unchanged = state.lastSeen[path].map { $0.size == key.size && $0.mtime == key.mtime } ?? false
                if age >= settle || unchanged { ready.append(path) }
            }
            state.lastSeen = seen
            state.waiting = seen.count - ready.count
            return ready
        }
    }

    private func walk(_ dir: String, _ body: (String, stat) -> Void) {
        // A name that is not UTF-8 is first renamed to its %XX text: every later step can then name it.
        let names = FileWalker.rawNames(in: dir).compactMap {
            String(validating: $0, as: UTF8.self) ?? FileMover.renameToText(in: dir, raw: $0)
        }
        for name in names.sorted() where !IgnoreRules.ignores(name) {
            let path = "\(dir)/\(name)"
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFREG: body(path, st)
            case S_IFDIR where recursive: walk(path, body)
            default: continue  // symbolic links, FIFOs, sockets, devices are never opened
            }
        }
    }
}
