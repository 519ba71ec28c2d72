import CInotifyTools
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
        /// Events were lost (queue overflow): the inbox must be rescanned.
        case rescan
    }

    let folder: String
    let recursive: Bool
    private let running = Mutex(false)
    private static let fileEvents = Int32(IN_CLOSE_WRITE | IN_MOVED_TO)
    private static let dirEvents = Int32(IN_CREATE | IN_MOVED_TO)

    init(folder: String, recursive: Bool) {
        self.folder = folder
        self.recursive = recursive
    }

    func start(_ sink: @escaping @Sendable (Event) -> Void) throws(InboxError) {
        guard inotifytools_initialize() != 0 else {
            throw .watch(path: folder, reason: "inotify: \(String(cString: strerror(inotifytools_error())))")
        }
        let events = Self.fileEvents | (recursive ? Self.dirEvents : 0)
        let ok = recursive ? inotifytools_watch_recursively(folder, events) : inotifytools_watch_file(folder, events)
        guard ok != 0 else {
            throw .watch(path: folder, reason: "cannot watch: \(String(cString: strerror(inotifytools_error())))")
        }
        running.withLock { $0 = true }
        let t = Thread { [self] in loop(sink) }
        t.name = "inotify"
        t.start()
    }

    func stop() { running.withLock { $0 = false } }

    private var isRunning: Bool { running.withLock { $0 } }

    private func loop(_ sink: @Sendable (Event) -> Void) {
        while isRunning {
            guard let event = inotifytools_next_event(1) else { continue }
            let mask = event.pointee.mask
            if mask & UInt32(IN_Q_OVERFLOW) != 0 { sink(.rescan); continue }
            let nameLength = Int(event.pointee.len)
            guard nameLength > 0, let dir = inotifytools_filename_from_wd(event.pointee.wd) else { continue }
            let raw = UnsafeRawPointer(event) + MemoryLayout<inotify_event>.size
            let name = String(cString: raw.assumingMemoryBound(to: CChar.self))
            let path = String(cString: dir) + name
            if mask & UInt32(IN_ISDIR) != 0 {
                // inotifytools_watch_recursively does not follow new folders: add them,
                // then scan what landed before the watch.
                if recursive && !name.hasPrefix(".") {
                    _ = inotifytools_watch_recursively(path, Self.fileEvents | Self.dirEvents)
                    sink(.rescan)
                }
                continue
            }
            if mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO) != 0 { sink(.file(path)) }
        }
        inotifytools_cleanup()
    }
}
