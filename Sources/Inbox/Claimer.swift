import FileSystem
import Foundation
import ImageIntake
import Logging
import Synchronization
import SystemPackage

/// A claimed file: its work path, the name it had in the inbox and when it arrived.
public struct Claim: Sendable, Equatable {
    /// Sortable and unique across restarts and daemons: names the file in work/ as `<id>_<name>`.
    public var id: String
    public var workPath: String
    /// The name relative to the inbox.
    public var original: String
    public var arrival: UInt64
}

/// Takes files out of the inbox by renaming them into work/: rename(2)
/// succeeds for exactly one claimer, so two daemons never take one file.
public final class Claimer: Sendable {
    public let layout: Layout
    private let clock: @Sendable () -> Date
    private let sequence = Mutex<UInt64>(0)
    /// Files left in the inbox because they looked unfinished, to be offered again.
    private let unfinished = Mutex<[QueuedFile]>([])
    private let logger: Logger
    let longNames: LongNames

    public init(
        layout: Layout, clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.layout = layout
        self.clock = clock
        self.logger = logger
        self.longNames = LongNames(path: layout.longNamesFile)
    }

    /// Claims what can be claimed; files another daemon took, or that vanished, are skipped.
    /// Anything not a regular file is left alone. A file that looks unfinished (empty, or
    /// cut before its format's end) and changed less than `settle` seconds ago stays in the
    /// inbox: "touch, then write", uploads in several opens and `rsync --inplace` come back
    /// to it. `takeUnfinished` hands such files back to be offered again.
    public func claim(_ files: [QueuedFile], settle: Double = 2) -> [Claim] {
        files.compactMap { claim($0, settle: settle) }
    }

    /// The files left in the inbox as unfinished since the last call.
    public func takeUnfinished() -> [QueuedFile] {
        unfinished.withLock { files in
            defer { files = [] }
            return files
        }
    }

    private func claim(_ file: QueuedFile, settle: Double) -> Claim? {
        var st = stat()
        guard lstat(file.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let age = clock().timeIntervalSince1970 - (Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9)
        if age < settle && !Self.looksComplete(file.path, size: Int(st.st_size)) {
            unfinished.withLock { $0.append(file) }
            return nil
        }
        let name = (file.path as NSString).lastPathComponent
        guard !IgnoreRules.ignores(name) else { return nil }
        let id = nextID()
        let original = relativeToInbox(file.path)
        // The claim id can make a long name too long for work/: the cut keeps the id, the sidecar the name.
        let (stem, ext) = FileName.split(name)
        let workName = FileName.fitted(id + "_" + stem, suffix: ext)
        if workName != "\(id)_\(name)" { longNames.note(id: id, original: original) }
        do {
            guard
                let work = try FileMover.claim(
                    file.path, into: layout.work, name: workName, staging: layout.staging)
            else { return nil }
            return Claim(id: id, workPath: work, original: original, arrival: file.arrival)
        } catch {
            logger.warning("claim failed", metadata: ["file": "\(file.path)", "error": "\(error.reason)"])
            return nil
        }
    }

    /// Reads the first and last bytes only.
    static func looksComplete(_ path: String, size: Int) -> Bool {
        guard size > 0 else { return false }
        guard let fd = try? FileDescriptor.open(FilePath(path), .readOnly) else { return true }
        defer { try? fd.close() }
        func bytes(at offset: Int, count: Int) -> [UInt8] {
            var buffer = [UInt8](repeating: 0, count: count)
            let n = (try? buffer.withUnsafeMutableBytes { try fd.read(fromAbsoluteOffset: Int64(offset), into: $0) })
            return Array(buffer.prefix(n ?? 0))
        }
        let tail = min(12, size)
        return ImageFormat.looksComplete(
            head: bytes(at: 0, count: min(8, size)), tail: bytes(at: size - tail, count: tail))
    }

    private func relativeToInbox(_ path: String) -> String {
        path.hasPrefix(layout.inbox + "/")
            ? String(path.dropFirst(layout.inbox.count + 1)) : (path as NSString).lastPathComponent
    }

    /// UTC time to the microsecond, a counter and the process id, in base 36.
    private func nextID() -> String {
        let n = sequence.withLock {
            $0 += 1; return $0
        }
        let t = UInt64(clock().timeIntervalSince1970 * 1e6)
        return String(t, radix: 36) + Self.base36(n % 1296) + Self.base36(UInt64(getpid()) % 1296)
    }

    private static func base36(_ n: UInt64) -> String {
        let s = String(n, radix: 36)
        return s.count >= 2 ? s : "0" + s
    }

    /// The id part of a work/ name (`<id>_<original>`).
    static func split(workName name: String) -> (id: String, original: String)? {
        guard let sep = name.firstIndex(of: "_") else { return nil }
        return (String(name[..<sep]), String(name[name.index(after: sep)...]))
    }
}
