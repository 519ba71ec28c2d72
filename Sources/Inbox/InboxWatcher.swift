import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Reports files that may be ready in the inbox, as an `AsyncStream`: from
/// inotify (close-after-write, moved-in), a scan at start-up, after an event
/// overflow and every `rescanInterval` as a safety net; or, with `poll`, from
/// scans alone (network filesystems, where inotify sees nothing). A file may
/// be reported more than once; the pipeline's queue keeps one entry per path.
public final class InboxWatcher: Service {
    public struct Options: Sendable, Equatable {
        public var recursive = false
        /// Seconds between scans instead of inotify.
        public var poll: Double?
        /// A scanned file must have been quiet this long (seconds).
        public var settle: Double = 2
        public var rescanInterval: Double = 300
        public init() {}
    }

    public let folder: String
    public let files: AsyncStream<QueuedFile>
    private let continuation: AsyncStream<QueuedFile>.Continuation
    private let scanner: InboxScanner
    private let options: Mutex<Options>
    private let onReady: @Sendable () -> Void
    /// The inbox went away and is not watched again yet.
    private let lost = Mutex(false)
    private let logger: Logger

    /// `onReady` runs once the watch is in place and the backlog scanned.
    public init(folder: String, options: Options, logger: Logger, onReady: @escaping @Sendable () -> Void = {}) {
        self.folder = folder
        (files, continuation) = AsyncStream.makeStream(of: QueuedFile.self)
        scanner = InboxScanner(folder: folder, recursive: options.recursive)
        self.options = Mutex(options)
        self.onReady = onReady
        self.logger = logger
    }

    /// `recursive` and `poll` are fixed at start; settle and rescan take effect from the next scan.
    public func update(_ new: Options) { options.withLock { $0 = new } }

    public func run() async throws {
        defer { continuation.finish() }
        let o = options.withLock { $0 }
        let source = o.poll == nil ? InotifySource(folder: folder, recursive: o.recursive) : nil
        try source?.start { [self] event in
            switch event {
            case .file(let path):
                // Hidden folders too (the staging folder of claims among them), not only hidden names.
                let inside = path.hasPrefix(folder + "/") ? path.dropFirst(folder.count + 1) : Substring(path)
                if !inside.split(separator: "/").contains(where: { IgnoreRules.ignores(String($0)) }) {
                    continuation.yield(QueuedFile(path: path))
                }
            case .rescan:
                if lost.withLock({ was in
                    defer { was = false }; return was
                }) {
                    logger.notice("watching the inbox again", metadata: ["inbox": "\(folder)"])
                }
                scan()
            case .lost:
                lost.withLock { $0 = true }
                logger.warning(
                    "the inbox was removed or renamed; watching it again once it is back (or made anew in 2 s)",
                    metadata: ["inbox": "\(folder)"])
            }
        }
        defer { source?.stop() }
        scan()
        onReady()
        while true {
            let o = options.withLock { $0 }
            // Scan again soon when the last scan left files that were still settling.
            let interval = o.poll ?? (scanner.waiting > 0 ? min(o.settle, o.rescanInterval) : o.rescanInterval)
            guard await GracefulSleep.sleep(seconds: interval) else { return }
            scan()
        }
    }

    private func scan() {
        for path in scanner.scan(settle: options.withLock { $0.settle }) { continuation.yield(QueuedFile(path: path)) }
    }
}
