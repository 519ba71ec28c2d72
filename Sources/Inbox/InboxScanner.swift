import FileSystem
import Foundation
import Synchronization

/// The backlog scan at start-up, after a queue overflow and every few
/// minutes. A scanned file may still be being written (no close event seen
/// yet), so it is taken only when it has been quiet for `settle` seconds or
/// is unchanged since the previous scan. The walk goes from folder
/// descriptor to folder descriptor without following symbolic links, so it
/// reaches any depth and never leaves the inbox; paths are kept as bytes.
final class InboxScanner: Sendable {
    let folder: String
    let recursive: Bool
    private struct Seen { var size: Int64, mtime: Int }
    private struct State {
        var lastSeen: [[UInt8]: Seen] = [:]
        /// Files the last scan saw but did not take yet: the caller scans again soon.
        var waiting = 0
        /// Folders in a non-recursive inbox: their files are not processed.
        var folders: Set<[UInt8]> = []
    }
    private let state = Mutex(State())

    init(folder: String, recursive: Bool) {
        self.folder = folder
        self.recursive = recursive
    }

    var waiting: Int { state.withLock { $0.waiting } }

    /// The folders the last scan found in a non-recursive inbox.
    var skippedFolders: Set<[UInt8]> { state.withLock { $0.folders } }

    /// Paths relative to the inbox that are ready to be processed.
    func scan(settle: Double, now: Date = Date()) -> [[UInt8]] {
        guard let root = try? Directory(path: folder) else { return [] }
        return state.withLock { state in
            var ready: [[UInt8]] = [], seen: [[UInt8]: Seen] = [:]
            state.folders = []
            walk(root, prefix: [], folders: &state.folders) { path, st in
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

    private func walk(
        _ dir: Directory, prefix: [UInt8], folders: inout Set<[UInt8]>, _ body: ([UInt8], stat) -> Void
    ) {
        let names = dir.names().filter { !IgnoreRules.ignores(FileName.text($0)) }
        for name in names.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            guard let st = dir.status(name) else { continue }
            let path = prefix.isEmpty ? name : prefix + [0x2F] + name
            switch st.st_mode & S_IFMT {
            case S_IFREG: body(path, st)
            case S_IFDIR where recursive:
                if let child = try? dir.folder([name]) { walk(child, prefix: path, folders: &folders, body) }
            case S_IFDIR: folders.insert(path)
            default: continue  // symbolic links, FIFOs, sockets, devices are never opened
            }
        }
    }
}
