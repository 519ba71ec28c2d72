import Glibc
import SystemPackage

/// Whole-file writes that never leave a half-written file under the final
/// name: write a temporary sibling, fsync it, rename over, fsync the folder.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws(FileSystemError) {
        let tmp = "\(path).tmp-\(getpid())"
        do {
            let fd = try FileDescriptor.open(
                FilePath(tmp), .writeOnly, options: [.create, .truncate, .closeOnExec],
                permissions: [.ownerReadWrite, .groupRead, .otherRead])
            try fd.closeAfter {
                _ = try fd.writeAll(bytes)
                guard fsync(fd.rawValue) == 0 else { throw Errno(rawValue: errno) }
            }
        } catch {
            unlink(tmp)
            throw FileSystemError(path: path, error)
        }
        guard rename(tmp, path) == 0 else {
            let e = Errno(rawValue: errno)
            unlink(tmp)
            throw FileSystemError(path: path, e)
        }
        Folder.sync(containing: path)
    }

    public static func write(_ text: String, to path: String) throws(FileSystemError) {
        try write(Array(text.utf8), to: path)
    }
}

/// Folder-level durability: a rename is on disk only once its folder is synced.
public enum Folder {
    /// Creates `path` and its parents as needed (an existing folder is fine).
    public static func create(_ path: String) throws(FileSystemError) {
        var built = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            built += "/\(part)"
            if mkdir(built, 0o755) != 0 && errno != EEXIST {
                throw FileSystemError(path: built, Errno(rawValue: errno))
            }
        }
    }

    public static func sync(containing path: String) {
        let folder = FilePath(path).removingLastComponent()
        guard
            let fd = try? FileDescriptor.open(
                folder.isEmpty ? "." : folder, .readOnly, options: [.directory, .closeOnExec])
        else {
            return
        }
        fsync(fd.rawValue)
        try? fd.close()
    }
}
