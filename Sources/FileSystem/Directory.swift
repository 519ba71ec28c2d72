import CLinux
import Glibc
import SystemPackage

/// An open folder and the calls relative to it. What an uploader can rename or replace is reached only
/// through such descriptors, one component at a time with `O_NOFOLLOW`: a symbolic link or a `..`
/// anywhere below the folder fails the call instead of leading out of it, and a path longer than
/// `PATH_MAX` still works.
public final class Directory: Sendable {
    public let descriptor: Int32
    /// For messages only; never opened again.
    public let path: String

    /// Opens a folder the administrator named (symbolic links in that path are the administrator's).
    public init(path: String) throws(FileSystemError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError(path: path, Errno(rawValue: errno)) }
        descriptor = fd
        self.path = path
    }

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    /// The folder `components` below this one, each opened without following a symbolic link;
    /// `create` makes missing ones (mode 0750 before the umask).
    public func folder(
        _ components: some Sequence<[UInt8]>, create: Bool = false
    ) throws(FileSystemError)
        -> Directory
    {
        var current = self
        for name in components {
            guard FileName.isPlainName(name) else {
                throw FileSystemError(path: path, reason: "not a plain folder name: \(FileName.text(name))")
            }
            let childPath = current.path + "/" + FileName.text(name)
            var fd = current.withName(name) { openat(current.descriptor, $0, Self.folderFlags) }
            if fd < 0 && errno == ENOENT && create {
                _ = current.withName(name) { mkdirat(current.descriptor, $0, 0o750) }
                fd = current.withName(name) { openat(current.descriptor, $0, Self.folderFlags) }
            }
            guard fd >= 0 else {
                let e = errno
                throw FileSystemError(
                    path: childPath,
                    reason: e == ELOOP || e == ENOTDIR
                        ? "not a folder (a symbolic link or a file)" : "\(Errno(rawValue: e))")
            }
            current = Directory(descriptor: fd, path: childPath)
        }
        return current
    }

    private static let folderFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC

    /// `lstat` of an entry: a symbolic link is reported as one, never followed.
    public func status(_ name: [UInt8]) -> stat? {
        var st = stat()
        return withName(name) { fstatat(descriptor, $0, &st, AT_SYMLINK_NOFOLLOW) } == 0 ? st : nil
    }

    /// Opens an entry for reading without blocking (a FIFO or device opens at once and is told by `fstat`),
    /// without following a symbolic link and without becoming a controlling terminal.
    public func openForReading(_ name: [UInt8]) throws(FileSystemError) -> FileDescriptor {
        let fd = withName(name) { openat(descriptor, $0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY) }
        guard fd >= 0 else { throw error(name) }
        return FileDescriptor(rawValue: fd)
    }

    /// Creates a new file (never an existing one) for writing.
    public func createFile(_ name: [UInt8], mode: mode_t = 0o640) throws(FileSystemError) -> FileDescriptor {
        let fd = withName(name) { openat(descriptor, $0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw error(name) }
        return FileDescriptor(rawValue: fd)
    }

    /// Renames an entry into `target` (which may be this folder); errno on failure.
    /// Without `replacing`, an existing target name fails with EEXIST.
    public func rename(_ name: [UInt8], to target: Directory, as newName: [UInt8], replacing: Bool = false) -> Int32 {
        guard FileName.isPlainName(name), FileName.isPlainName(newName) else { return EINVAL }
        let status = withName(name) { from in
            target.withName(newName) { to in
                renameat2(descriptor, from, target.descriptor, to, replacing ? 0 : Self.noReplace)
            }
        }
        return status == 0 ? 0 : errno
    }

    /// Removes an entry that is not a folder; errno on failure.
    @discardableResult
    public func remove(_ name: [UInt8]) -> Int32 {
        guard FileName.isPlainName(name) else { return EINVAL }
        return withName(name) { unlinkat(descriptor, $0, 0) } == 0 ? 0 : errno
    }

    /// Writes what `source` holds (read from its start) to a hidden new file here, fsyncs it and renames it
    /// to `name`: a private copy, for a file whose inode another name (or filesystem) still reaches.
    /// Memory stays bounded whatever the size (1 MB pieces).
    public func writeCopy(of source: FileDescriptor, as name: [UInt8], replacing: Bool) throws(FileSystemError) {
        let temporary = Array(".copy-".utf8) + Array(String(UInt64.random(in: 0...UInt64.max), radix: 36).utf8)
        let output = try createFile(temporary)
        do {
            try output.closeAfter {
                var buffer = [UInt8](repeating: 0, count: 1 << 20)
                var offset: Int64 = 0
                while true {
                    let n = try buffer.withUnsafeMutableBytes { try source.read(fromAbsoluteOffset: offset, into: $0) }
                    if n == 0 { break }
                    _ = try output.writeAll(buffer[..<n])
                    offset += Int64(n)
                }
                guard fsync(output.rawValue) == 0 else { throw Errno(rawValue: errno) }
            }
        } catch {
            remove(temporary)
            throw FileSystemError(path: path(of: name), reason: "cannot copy: \(error)")
        }
        let status = rename(temporary, to: self, as: name, replacing: replacing)
        guard status == 0 else {
            remove(temporary)
            throw FileSystemError(path: path(of: name), reason: "cannot place copy: \(Errno(rawValue: status))")
        }
    }

    /// Every entry's name as the bytes the filesystem holds, `.` and `..` left out.
    public func names() -> [[UInt8]] {
        let copy = dup(descriptor)
        guard copy >= 0, let dir = fdopendir(copy) else { return [] }
        defer { closedir(dir) }
        rewinddir(dir)
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [0x2E] && name != [0x2E, 0x2E] { names.append(name) }
        }
        return names
    }

    /// The path of an entry, for messages.
    public func path(of name: [UInt8]) -> String { path + "/" + FileName.text(name) }

    private func error(_ name: [UInt8]) -> FileSystemError {
        let e = errno
        return FileSystemError(
            path: path(of: name), reason: e == ELOOP ? "is a symbolic link" : "\(Errno(rawValue: e))")
    }

    private func withName<R>(_ name: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
        (name + [0]).withUnsafeBufferPointer { b in b.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
    }

    private static let noReplace: UInt32 = 1
}
