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
        /// A file was closed after writing or moved in.
        case file(String)
        /// Events were lost (queue overflow, or the watch set up again): the inbox must be rescanned.
        case rescan
        /// The inbox was removed or renamed; the watch is being set up again.
        case lost
    }

    let folder: String
    let recursive: Bool
    private let running = Mutex(false)
    /// The inode watched: a removal event for a folder still at the path under that inode is stale.
    private let watched = Mutex<UInt64>(0)
    private static let fileEvents = Int32(IN_CLOSE_WRITE | IN_MOVED_TO)
    private static let dirEvents = Int32(IN_CREATE | IN_MOVED_TO)

    init(folder: String, recursive: Bool) {
        self.folder = folder
        self.recursive = recursive
    }

    func start(_ sink: @escaping @Sendable (Event) -> Void) throws(InboxError) {
        try watch()
        running.withLock { $0 = true }
        let t = Thread { [self] in loop(sink) }
        t.name = "inotify"
        t.start()
    }

    func stop() { running.withLock { $0 = false } }

    private var isRunning: Bool { running.withLock { $0 } }

    /// The inbox itself reports its own removal or renaming, so the watch can be set up again.
    private static let selfEvents = UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)

    private func watch() throws(InboxError) {
        guard inotifytools_initialize() != 0 else {
            throw .watch(path: folder, reason: "inotify: \(String(cString: strerror(inotifytools_error())))")
        }
        // IN_CREATE too: a hard link made into the inbox is complete at once and is never closed.
        let events = Self.fileEvents | Int32(IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF)
        let ok = recursive ? inotifytools_watch_recursively(folder, events) : inotifytools_watch_file(folder, events)
        guard ok != 0 else {
            throw .watch(path: folder, reason: "cannot watch: \(String(cString: strerror(inotifytools_error())))")
        }
        watched.withLock { $0 = inode(folder) ?? 0 }
    }

    private func inode(_ path: String) -> UInt64? {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR ? UInt64(st.st_ino) : nil
    }

    private func loop(_ sink: @Sendable (Event) -> Void) {
        let root = folder.hasSuffix("/") ? folder : folder + "/"
        while isRunning {
            guard let event = inotifytools_next_event(1) else { continue }
            let mask = event.pointee.mask
            if mask & UInt32(IN_Q_OVERFLOW) != 0 { sink(.rescan); continue }
            guard let dir = inotifytools_filename_from_wd(event.pointee.wd).map({ String(cString: $0) }) else {
                continue
            }
            if mask & Self.selfEvents != 0 {
                if dir == root && inode(folder) != watched.withLock({ $0 }) { rewatch(sink) }
                continue
            }
            guard event.pointee.len > 0 else { continue }
            let raw = (UnsafeRawPointer(event) + MemoryLayout<inotify_event>.size).assumingMemoryBound(to: CChar.self)
            guard let name = String(validatingCString: raw) else {
                // Not UTF-8: renamed to its %XX text, which comes back as a moved-in event.
                let bytes = UnsafeRawBufferPointer(start: raw, count: strlen(raw))
                _ = FileMover.renameToText(in: String(dir.dropLast()), raw: Array(bytes))
                continue
            }
            let path = dir + name
            if mask & UInt32(IN_ISDIR) != 0 {
                // inotifytools_watch_recursively does not follow new folders: add them,
                // then scan what landed before the watch.
                if recursive && !name.hasPrefix(".") && mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                    _ = inotifytools_watch_recursively(path, Self.fileEvents | Self.dirEvents)
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

    /// A regular file with more than one name: complete when it appears.
    private func isLink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && st.st_nlink > 1
    }

    /// The inbox was removed or renamed: watch the path again once a folder is
    /// there (made anew if it stays missing), then scan what arrived meanwhile.
    private func rewatch(_ sink: @Sendable (Event) -> Void) {
        inotifytools_cleanup()
        sink(.lost)
        var waited = 0
        while isRunning {
            let present = inode(folder) != nil
            if !present && waited >= 10 {
                try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            if present, (try? watch()) != nil { sink(.rescan); return }
            usleep(200_000)
            waited += 1
        }
    }
}
