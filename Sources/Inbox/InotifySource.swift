import CInotifyTools
import Foundation

/// Inbox events from libinotifytools. Its state is process-global and
/// `inotifytools_next_event` blocks, so one dedicated thread owns it, copies
/// each event out and wakes up every `pollTimeout` to notice `stop()`.
/// Reacts to close-after-write and moved-in, never to create (a file being
/// copied is not ready). Folders created later are watched when recursive.
public final class InotifySource: EventSource, @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible { public let description: String }

    let folder: String
    let recursive: Bool
    private let lock = NSLock()
    private var running = false
    private var thread: Thread?
    private static let fileEvents = Int32(IN_CLOSE_WRITE | IN_MOVED_TO)
    private static let dirEvents = Int32(IN_CREATE | IN_MOVED_TO)

    public init(folder: String, recursive: Bool) {
        self.folder = folder
        self.recursive = recursive
    }

    public func start(_ sink: @escaping @Sendable (SourceEvent) -> Void) throws {
        guard inotifytools_initialize() != 0 else { throw Failure(description: "inotify: \(String(cString: strerror(inotifytools_error())))") }
        let events = Self.fileEvents | (recursive ? Self.dirEvents : 0)
        let ok = recursive ? inotifytools_watch_recursively(folder, events) : inotifytools_watch_file(folder, events)
        guard ok != 0 else {
            throw Failure(description: "\(folder): cannot watch: \(String(cString: strerror(inotifytools_error())))")
        }
        lock.withLock { running = true }
        let t = Thread { [self] in loop(sink) }
        t.name = "inotify"
        thread = t
        t.start()
    }

    public func stop() { lock.withLock { running = false } }

    private var isRunning: Bool { lock.withLock { running } }

    private func loop(_ sink: @Sendable (SourceEvent) -> Void) {
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
                // inotifytools_watch_recursively does not follow new folders: add them, then scan what landed before the watch.
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

/// For network filesystems, where inotify sees nothing: a scan every `interval`.
public final class PollingSource: EventSource, @unchecked Sendable {
    let interval: Double
    private let lock = NSLock()
    private var running = false

    public init(interval: Double) { self.interval = interval }

    public func start(_ sink: @escaping @Sendable (SourceEvent) -> Void) throws {
        lock.withLock { running = true }
        let t = Thread { [self] in
            while lock.withLock({ running }) {
                sink(.rescan)
                Thread.sleep(forTimeInterval: interval)
            }
        }
        t.name = "poll"
        t.start()
    }

    public func stop() { lock.withLock { running = false } }
}
