import FileSystem
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
    /// Paths of files outside the inbox asked for with `watch(file:)` (the model) each time one changes.
    public let changes: AsyncStream<String>
    private let changed: AsyncStream<String>.Continuation
    /// Those files, and (polling, where there is no inotify) how each looked at the last look.
    private let others = Mutex<[String: FileStamp]>([:])
    /// Each watched file's absolute path (what inotify names), to the path it was asked for by.
    private let asked = Mutex<[String: String]>([:])
    private let source = Mutex<InotifySource?>(nil)
    private let scanner: InboxScanner
    private let options: Mutex<Options>
    private let onReady: @Sendable () -> Void
    /// When the last scan started, by any trigger.
    private let lastScan = Mutex(ContinuousClock.now)
    /// Folders a scan found in a non-recursive inbox, logged once each.
    private let skipped = Mutex<Set<[UInt8]>>([])
    /// The inbox went away and is not watched again yet.
    private let lost = Mutex(false)
    private let logger: Logger

    /// `onReady` runs once the watch is in place and the backlog scanned.
    public init(folder: String, options: Options, logger: Logger, onReady: @escaping @Sendable () -> Void = {}) {
        self.folder = folder
        (files, continuation) = AsyncStream.makeStream(of: QueuedFile.self)
        (changes, changed) = AsyncStream.makeStream(of: String.self)
        scanner = InboxScanner(folder: folder, recursive: options.recursive)
        self.options = Mutex(options)
        self.onReady = onReady
        self.logger = logger
    }

    /// Reports changes of `path` on `changes` from now on (the model file): through the inbox's inotify watch,
    /// or, polling, by its size, time and inode at each poll.
    public func watch(file path: String) {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        asked.withLock { $0[absolute] = path }
        others.withLock { $0[path] = $0[path] ?? FileStamp(path) }
        source.withLock { $0 }?.watch(file: absolute)
    }

    /// `recursive` and `poll` are fixed at start; settle and rescan take effect from the next scan.
    public func update(_ new: Options) { options.withLock { $0 = new } }

    public func run() async throws {
        defer {
            continuation.finish()
            changed.finish()
        }
        let o = options.withLock { $0 }
        let prefix = Array((folder.hasSuffix("/") ? folder : folder + "/").utf8)
        let source = o.poll == nil ? InotifySource(folder: folder, recursive: o.recursive) : nil
        self.source.withLock { $0 = source }
        for path in asked.withLock({ Array($0.keys) }) { source?.watch(file: path) }
        try source?.start { [self] event in
            switch event {
            case .file(let path):
                // Hidden folders too (the staging folder of claims among them), not only hidden names.
                guard path.starts(with: prefix) else { return }
                let file = QueuedFile(relative: Array(path.dropFirst(prefix.count)))
                if !file.components.contains(where: { IgnoreRules.ignores(FileName.text($0)) }) {
                    continuation.yield(file)
                }
            case .rescan:
                if lost.withLock({ was in
                    defer { was = false }; return was
                }) {
                    logger.notice("watching the inbox again", metadata: ["inbox": "\(folder)"])
                }
                scan()
            case .changed(let absolute):
                if let path = asked.withLock({ $0[absolute] }) { changed.yield(path) }
            case .unwatched(let reason):
                logger.warning(
                    "some folders in the inbox cannot be watched; their files are found by the periodic scan",
                    metadata: ["inbox": "\(folder)", "error": "\(reason)", "rescan-interval": "\(o.rescanInterval)"])
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
        // Scan again soon when the last scan, whoever asked for it (an overflow, a folder moved), left files
        // that were still settling: looked at each second, so such a scan is followed up within `settle`.
        while await GracefulSleep.sleep(seconds: min(1, options.withLock { $0.poll ?? 1 })) {
            let o = options.withLock { $0 }
            let interval = o.poll ?? (scanner.waiting > 0 ? min(o.settle, o.rescanInterval) : o.rescanInterval)
            if ContinuousClock.now - lastScan.withLock({ $0 }) >= .milliseconds(Int64(interval * 1000)) { scan() }
            if o.poll != nil { lookAtOthers() }
        }
    }

    /// Polling: a watched file whose size, time or inode changed is reported.
    private func lookAtOthers() {
        let paths = others.withLock { Array($0.keys) }
        let fresh = Dictionary(uniqueKeysWithValues: paths.map { ($0, FileStamp($0)) })
        let moved = others.withLock { o in
            defer { o.merge(fresh) { $1 } }
            return paths.filter { o[$0] != fresh[$0] }
        }
        for path in moved { changed.yield(path) }
    }

    private func scan() {
        lastScan.withLock { $0 = .now }
        for path in scanner.scan(settle: options.withLock { $0.settle }) {
            continuation.yield(QueuedFile(relative: path))
        }
        noteSkippedFolders()
    }

    /// Folders dropped into an inbox that is not recursive: logged once each, with the fix, and counted.
    private func noteSkippedFolders() {
        let now = scanner.skippedFolders
        let new = skipped.withLock { known in
            defer { known = now }
            return now.subtracting(known)
        }
        for folder in new.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            logger.warning(
                "a folder in the inbox is not processed: the inbox is not recursive (set recursive: true)",
                metadata: ["folder": "\(FileName.text(folder))", "inbox": "\(self.folder)"])
        }
    }

    /// Folders in the inbox whose files are not processed (the inbox is not recursive).
    public var skippedFolderCount: Int { skipped.withLock { $0.count } }
}

/// Size, modification time and inode: a replaced or rewritten file changes one of them.
struct FileStamp: Equatable, Sendable {
    var size = -1, mtime = 0, nanoseconds = 0, inode: UInt = 0

    init(_ path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return }
        size = Int(st.st_size); mtime = st.st_mtim.tv_sec; nanoseconds = st.st_mtim.tv_nsec; inode = UInt(st.st_ino)
    }
}
