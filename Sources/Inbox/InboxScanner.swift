import Foundation

/// The backlog scan at start-up, after a queue overflow and every few
/// minutes. A scanned file may still be being written (no close event seen
/// yet), so it is taken only when it has been quiet for `settle` seconds or
/// is unchanged since the previous scan.
public final class InboxScanner: @unchecked Sendable {
    public let folder: String
    public let recursive: Bool
    public let settle: Double
    private var lastSeen: [String: (size: Int64, mtime: Int)] = [:]
    /// Files the last scan saw but did not take yet: the caller scans again soon.
    public private(set) var waiting = 0
    private let lock = NSLock()   // used from the watcher thread and the main loop

    public init(folder: String, recursive: Bool, settle: Double = 2) {
        self.folder = folder
        self.recursive = recursive
        self.settle = settle
    }

    /// Paths ready to be processed.
    public func scan(now: Date = Date()) -> [String] {
        lock.lock(); defer { lock.unlock() }
        var ready: [String] = [], seen: [String: (Int64, Int)] = [:]
        walk(folder) { path, st in
            let key = (Int64(st.st_size), Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec))
            seen[path] = key
            let age = now.timeIntervalSince1970 - Double(st.st_mtim.tv_sec) - Double(st.st_mtim.tv_nsec) / 1e9
            if age >= settle || (lastSeen[path].map { $0.size == key.0 && $0.mtime == key.1 } ?? false) { ready.append(path) }
        }
        lastSeen = seen.mapValues { (size: $0.0, mtime: $0.1) }
        waiting = seen.count - ready.count
        return ready
    }

    private func walk(_ dir: String, _ body: (String, stat) -> Void) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for name in names.sorted() where !IgnoreRules.ignores(name) {
            let path = "\(dir)/\(name)"
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFREG: body(path, st)
            case S_IFDIR where recursive: walk(path, body)
            default: continue   // symbolic links, FIFOs, sockets, devices are never opened
            }
        }
    }
}
