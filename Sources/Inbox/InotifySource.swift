import CInotifyTools
import FileSystem
import Foundation
import Synchronization

/// Inbox events from libinotifytools. Its state is process-global and
/// `inotifytools_next_event` blocks, so one dedicated thread owns it, copies
/// each event out and wakes up every second to notice `stop()`.
/// Reacts to close-after-write and moved-in, never to create (a file being
/// copied is not ready). Folders created later are watched when recursive.
final class InotifySource: Sendable {
    /// What the watch reports.
    enum Event: Sendable, Equatable {
        /// A file was closed after writing or moved in: its path's bytes (names need not be UTF-8).
        case file([UInt8])
        /// Events were lost (queue overflow, or the watch set up again): the inbox must be rescanned.
        case rescan
        /// The inbox was removed or renamed; the watch is being set up again.
        case lost
        /// Some folders below the inbox cannot be watched (too deep, too many watches): the periodic scan
        /// is all that finds their files.
        case unwatched(reason: String)
        /// A file outside the inbox that was asked for (`watch(file:)`, the model) was written or replaced.
        case changed(String)
    }

    let folder: String
    let recursive: Bool
    private let running = Mutex(false)
    /// The inode watched: a removal event for a folder still at the path under that inode is stale.
    private let watched = Mutex<UInt64>(0)
    private static let fileEvents = Int32(IN_CLOSE_WRITE | IN_MOVED_TO)
    /// Files outside the inbox to report changes of, and the folders of theirs watched so far (set up by the
    /// event thread, which owns libinotifytools' state, at its next turn).
    private let others = Mutex<(files: Set<String>, folders: Set<String>)>(([], []))

    init(folder: String, recursive: Bool) {
        self.folder = folder
        self.recursive = recursive
    }

    func start(_ sink: @escaping @Sendable (Event) -> Void) throws(InboxError) {
        if let partial = try watch() { sink(.unwatched(reason: partial)) }
        watchOthers()  // before the first event is read: a change right after the start is not missed
        running.withLock { $0 = true }
        let t = Thread { [self] in loop(sink) }
        t.name = "inotify"
        t.start()
    }

    func stop() { running.withLock { $0 = false } }

    /// Reports changes of `path` (written and closed, or another file renamed onto it) from now on, within a
    /// second; its folder is watched, not the file, so a replaced file is still seen.
    func watch(file path: String) { others.withLock { _ = $0.files.insert(path) } }

    private var isRunning: Bool { running.withLock { $0 } }

    /// The inbox itself reports its own removal or renaming, so the watch can be set up again.
    private static let selfEvents = UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)

    /// Watches the inbox (and its folders when recursive); returns why some folders below it are not
    /// watched, and throws only when the inbox itself cannot be.
    private func watch() throws(InboxError) -> String? {
        guard inotifytools_initialize() != 0 else {
            throw .watch(path: folder, reason: "inotify: \(String(cString: strerror(inotifytools_error())))")
        }
        var partial: String?
        if recursive && inotifytools_watch_recursively(folder, Self.events) == 0 {
            partial = String(cString: strerror(inotifytools_error()))
        }
        let root = folder.hasSuffix("/") ? folder : folder + "/"
        if inotifytools_wd_from_filename(root) < 0 && inotifytools_watch_file(folder, Self.events) == 0 {
            throw .watch(path: folder, reason: "cannot watch: \(String(cString: strerror(inotifytools_error())))")
        }
        watched.withLock { $0 = inode(folder) ?? 0 }
        return partial
    }

    // IN_CREATE too: a hard link made into the inbox is complete at once and is never closed.
    // IN_MOVE_SELF of a folder below the inbox: its watch still bears the old path, so all are set up again.
    private static let events = fileEvents | Int32(IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF)

    private func inode(_ path: String) -> UInt64? {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR ? UInt64(st.st_ino) : nil
    }

    private func loop(_ sink: @Sendable (Event) -> Void) {
        let root = Array((folder.hasSuffix("/") ? folder : folder + "/").utf8)
        while isRunning {
            watchOthers()
            guard let event = inotifytools_next_event(1) else { continue }
            let mask = event.pointee.mask
            if mask & UInt32(IN_Q_OVERFLOW) != 0 { sink(.rescan); continue }
            // The watch's path as bytes: a folder name need not be UTF-8.
            guard let dir = inotifytools_filename_from_wd(event.pointee.wd).map({ Self.bytes($0) }) else { continue }
            if let other = other(dir, event), mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) != 0 {
                sink(.changed(other))
                if !dir.starts(with: root) { continue }
            }
            if mask & Self.selfEvents != 0 {
                if dir == root && inode(folder) != watched.withLock({ $0 }) {
                    rewatch(sink)
                } else if dir != root && mask & UInt32(IN_MOVE_SELF) != 0 {
                    refresh(sink)
                }
                continue
            }
            guard event.pointee.len > 0 else { continue }
            let raw = (UnsafeRawPointer(event) + MemoryLayout<inotify_event>.size).assumingMemoryBound(to: CChar.self)
            let name = Array(UnsafeRawBufferPointer(start: raw, count: strlen(raw)))
            let path = dir + name
            if mask & UInt32(IN_ISDIR) != 0 {
                // inotifytools_watch_recursively does not follow new folders: add them, then scan what landed
                // before the watch. In a non-recursive inbox the scan notes the folder as not processed.
                if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 && name.first != 0x2E {
                    if recursive && !Self.watchRecursively(path) {
                        sink(.unwatched(reason: String(cString: strerror(inotifytools_error()))))
                    }
                    sink(.rescan)
                }
                continue
            }
            if mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO) != 0 || (mask & UInt32(IN_CREATE) != 0 && isLink(path)) {
                sink(.file(path))
            }
        }
        inotifytools_cleanup()
    }

    /// Sets up the folders of the files asked for that are not watched yet (again after a rewatch).
    private func watchOthers() {
        let missing = others.withLock { o in
            Set(o.files.map { ($0 as NSString).deletingLastPathComponent }).subtracting(o.folders)
        }
        let inbox = folder.hasSuffix("/") ? folder : folder + "/"
        for dir in missing {
            // A folder in the inbox is watched already, with more events: its events are looked at anyway.
            let inside = (dir + "/").hasPrefix(inbox)
            if inside || inotifytools_watch_file(dir, Int32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)) != 0 {
                others.withLock { _ = $0.folders.insert(dir) }
            }
        }
    }

    /// The file asked for that an event in `dir` is about, if any.
    private func other(_ dir: [UInt8], _ event: UnsafeMutablePointer<inotify_event>) -> String? {
        guard event.pointee.len > 0 else { return nil }
        let raw = (UnsafeRawPointer(event) + MemoryLayout<inotify_event>.size).assumingMemoryBound(to: CChar.self)
        let path = String(decoding: dir, as: UTF8.self) + String(cString: raw)
        return others.withLock { $0.files.contains(path) ? path : nil }
    }

    private static func watchRecursively(_ path: [UInt8]) -> Bool {
        (path + [0]).withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { inotifytools_watch_recursively($0.baseAddress!, events) != 0 }
        }
    }

    private static func bytes(_ c: UnsafePointer<CChar>) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: c, count: strlen(c)))
    }

    /// A regular file with more than one name: complete when it appears.
    private func isLink(_ path: [UInt8]) -> Bool {
        var st = stat()
        let found = (path + [0]).withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { lstat($0.baseAddress!, &st) }
        }
        return found == 0 && (st.st_mode & S_IFMT) == S_IFREG && st.st_nlink > 1
    }

    /// A folder below the inbox was moved: every watch is set up again under today's paths, then the
    /// inbox is scanned (files are claimed by walking from the inbox, never through a watch's old path).
    private func refresh(_ sink: @Sendable (Event) -> Void) {
        inotifytools_cleanup()
        others.withLock { $0.folders = [] }
        do {
            if let partial = try watch() { sink(.unwatched(reason: partial)) }
        } catch {
            rewatch(sink)
            return
        }
        sink(.rescan)
    }

    /// The inbox was removed or renamed: watch the path again once a folder is
    /// there (made anew if it stays missing), then scan what arrived meanwhile.
    private func rewatch(_ sink: @Sendable (Event) -> Void) {
        inotifytools_cleanup()
        others.withLock { $0.folders = [] }
        sink(.lost)
        var waited = 0
        while isRunning {
            let present = inode(folder) != nil
            if !present && waited >= 10 {
                try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            if present, case .success(let partial) = Result(catching: { () throws(InboxError) in try watch() }) {
                if let partial { sink(.unwatched(reason: partial)) }
                sink(.rescan)
                return
            }
            usleep(200_000)
            waited += 1
        }
    }
}
