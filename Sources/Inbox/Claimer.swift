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
    /// The path relative to the inbox, as text (a name that is not UTF-8 as its %XX text).
    public var original: String
    /// The file's own name as the daemon read it from the inbox, when that is not `original`'s last part
    /// (not UTF-8): it is filed under these bytes. Never taken from anything an uploader can set.
    public var realName: [UInt8]?
    public var arrival: UInt64

    public init(id: String, workPath: String, original: String, realName: [UInt8]? = nil, arrival: UInt64) {
        self.id = id; self.workPath = workPath; self.original = original; self.realName = realName
        self.arrival = arrival
    }
}

/// Takes files out of the inbox by renaming them into work/: rename(2) succeeds for exactly one claimer,
/// so two daemons never take one file. The inbox belongs to the uploaders, so every step there goes through
/// descriptors: each folder below the inbox is opened without following a symbolic link, the file is opened
/// once without blocking (a FIFO swapped in is told by `fstat`, never waited on) and must be the regular
/// file seen, and what lands in work/ must be that inode.
public final class Claimer: Sendable {
    public let layout: Layout
    private let clock: @Sendable () -> Date
    private let sequence = Mutex<UInt64>(0)
    /// Files left in the inbox because they looked unfinished, to be offered again.
    private let unfinished = Mutex<[QueuedFile]>([])
    private let logger: Logger
    public let longNames: LongNames

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
        guard !files.isEmpty else { return [] }
        let inbox: Directory, work: Directory
        do {
            inbox = try Directory(path: layout.inbox)
            work = try Directory(path: layout.work)
        } catch {
            // The next scan offers the files again once the folder is back.
            logger.warning("cannot claim: folder unavailable", metadata: ["error": "\(error)"])
            return []
        }
        return files.compactMap { claim($0, inbox: inbox, work: work, settle: settle) }
    }

    /// The files left in the inbox as unfinished since the last call.
    public func takeUnfinished() -> [QueuedFile] {
        unfinished.withLock { files in
            defer { files = [] }
            return files
        }
    }

    private func claim(_ file: QueuedFile, inbox: Directory, work: Directory, settle: Double) -> Claim? {
        let components = file.components
        guard let name = components.last,
            !components.contains(where: { !FileName.isPlainName($0) || IgnoreRules.ignores(FileName.text($0)) })
        else { return nil }
        let folder: Directory
        do { folder = try inbox.folder(components.dropLast()) } catch {
            // A folder renamed away and replaced by a symbolic link: nothing is taken through it.
            logger.warning("not claimed", metadata: ["file": "\(file.text)", "error": "\(error.reason)"])
            return nil
        }
        guard let seen = folder.status(name), (seen.st_mode & S_IFMT) == S_IFREG,
            let fd = try? folder.openForReading(name)
        else { return nil }
        defer { try? fd.close() }
        var opened = stat()
        guard fstat(fd.rawValue, &opened) == 0, (opened.st_mode & S_IFMT) == S_IFREG, opened.st_ino == seen.st_ino,
            opened.st_dev == seen.st_dev
        else { return nil }  // replaced between the look and the open: offered again by its own event
        let mtime = opened.st_mtim
        let age = clock().timeIntervalSince1970 - (Double(mtime.tv_sec) + Double(mtime.tv_nsec) / 1e9)
        if age < settle && !Self.looksComplete(fd, size: Int(opened.st_size)) {
            unfinished.withLock { $0.append(file) }
            return nil
        }
        let id = nextID()
        let original = file.text, text = FileName.text(name)
        let realName = String(validating: name, as: UTF8.self) == nil ? name : nil
        // The claim id can make a long name too long for work/: the cut keeps the id, the sidecar the name.
        let (stem, ext) = FileName.split(text)
        let workName = FileName.fitted(id + "_" + stem, suffix: ext)
        if workName != "\(id)_\(text)" || realName != nil {
            longNames.note(id: id, original: original, realName: realName)
        }
        do {
            guard let taken = try take(name, from: folder, as: workName, into: work) else { return nil }
            try keepPrivate(taken, in: work, claimed: opened, file: original)
            return Claim(
                id: id, workPath: work.path(of: taken), original: original, realName: realName,
                arrival: file.arrival)
        } catch {
            logger.warning("claim failed", metadata: ["file": "\(original)", "error": "\(error.reason)"])
            return nil
        }
    }

    /// Renames `name` into work/ under `workName` (or a free variant); nil when another claimer took it.
    /// When work/ is on another filesystem, the rename goes into a hidden staging folder on the inbox's,
    /// and the file is then copied into work/ through its descriptor.
    private func take(
        _ name: [UInt8], from folder: Directory, as workName: String, into work: Directory
    )
        throws(FileSystemError) -> [UInt8]?
    {
        for candidate in FileName.variants(of: Array(workName.utf8)) {
            switch folder.rename(name, to: work, as: candidate) {
            case 0: return candidate
            case EEXIST: continue
            case ENOENT: return nil
            case EXDEV:
                let staging = try Directory(path: layout.inbox).folder(
                    [Array(".fashionsort".utf8), Array(layout.instance.utf8)], create: true)
                switch folder.rename(name, to: staging, as: candidate) {
                case 0: break
                case ENOENT: return nil
                case let e:
                    throw FileSystemError(path: folder.path(of: name), reason: "cannot claim: \(Errno(rawValue: e))")
                }
                let staged = try staging.openForReading(candidate)
                defer { try? staged.close() }
                try work.writeCopy(of: staged, as: candidate, replacing: false)
                staging.remove(candidate)
                return candidate
            case let e:
                throw FileSystemError(path: folder.path(of: name), reason: "cannot claim: \(Errno(rawValue: e))")
            }
        }
        throw FileSystemError(path: folder.path(of: name), reason: "no free name in \(work.path)")
    }

    /// What work/ holds under `name` must be the file checked in the inbox, and the daemon's alone: an
    /// uploader that keeps another hard link could rewrite the photo after it was hashed and filed, so a file
    /// with more than one link is replaced by a private copy. Something else swapped in between the check
    /// and the rename stays, to be rejected by the decoder, which opens nothing but regular files.
    private func keepPrivate(
        _ name: [UInt8], in work: Directory, claimed: stat, file: String
    )
        throws(FileSystemError)
    {
        guard let landed = work.status(name), landed.st_ino == claimed.st_ino, landed.st_dev == claimed.st_dev
        else {
            logger.warning("replaced while being claimed; processed as found", metadata: ["file": "\(file)"])
            return
        }
        guard landed.st_nlink > 1 else { return }
        let fd = try work.openForReading(name)
        defer { try? fd.close() }
        try work.writeCopy(of: fd, as: name, replacing: true)
    }

    /// Reads the first and last bytes only, through the descriptor already open.
    static func looksComplete(_ fd: FileDescriptor, size: Int) -> Bool {
        guard size > 0 else { return false }
        func bytes(at offset: Int, count: Int) -> [UInt8] {
            var buffer = [UInt8](repeating: 0, count: count)
            let n = (try? buffer.withUnsafeMutableBytes { try fd.read(fromAbsoluteOffset: Int64(offset), into: $0) })
            return Array(buffer.prefix(n ?? 0))
        }
        let tail = min(12, size)
        return ImageFormat.looksComplete(
            head: bytes(at: 0, count: min(8, size)), tail: bytes(at: size - tail, count: tail))
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
    public static func split(workName name: String) -> (id: String, original: String)? {
        guard let sep = name.firstIndex(of: "_") else { return nil }
        return (String(name[..<sep]), String(name[name.index(after: sep)...]))
    }
}
