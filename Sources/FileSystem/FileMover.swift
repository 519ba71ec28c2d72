import CLinux
import Foundation
import SystemPackage

/// Moves that never overwrite: a taken target name gets the next free variant
/// (`FileName.variants`). Within a filesystem link(2)+unlink(2) makes the
/// no-overwrite check atomic; across filesystems the file is copied, fsynced,
/// linked into place, then the source removed.
public enum FileMover {
    /// Moves `source` into `folder` under `name` or a free variant; returns the final path.
    @discardableResult
    public static func move(_ source: String, into folder: String, name: String) throws(FileSystemError) -> String {
        for candidate in FileName.variants(of: name) {
            let target = "\(folder)/\(candidate)"
            if link(source, target) == 0 {
                unlink(source)
                return target
            }
            switch errno {
            case EEXIST:
                // A crash between link and unlink left the file in both places: finish the move.
                if sameFile(source, target) { unlink(source); return target }
            case EXDEV, EPERM: return try copyAcross(source, folder: folder, name: name)
            default: throw FileSystemError(path: source, reason: "cannot move to \(target): \(lastError())")
            }
        }
        throw FileSystemError(path: source, reason: "no free name in \(folder)")
    }

    /// Whether two paths name the same file (same device and inode).
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        return lstat(a, &sa) == 0 && lstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    private static func copyAcross(_ source: String, folder: String, name: String) throws(FileSystemError) -> String {
        let tmp = "\(folder)/.\(name).copy-\(getpid())"
        try copy(source, to: tmp)
        for candidate in FileName.variants(of: name) {
            let target = "\(folder)/\(candidate)"
            if link(tmp, target) == 0 { unlink(tmp); unlink(source); return target }
            if errno != EEXIST { break }
        }
        let reason = lastError()
        unlink(tmp)
        throw FileSystemError(path: source, reason: "cannot place copy in \(folder): \(reason)")
    }

    /// Copies in 1 MB pieces (memory stays bounded whatever the size) and fsyncs the copy.
    static func copy(_ source: String, to target: String) throws(FileSystemError) {
        do {
            let input = try FileDescriptor.open(FilePath(source), .readOnly, options: [.closeOnExec])
            try input.closeAfter {
                let output = try FileDescriptor.open(
                    FilePath(target), .writeOnly, options: [.create, .exclusiveCreate, .closeOnExec],
                    permissions: [.ownerReadWrite, .groupRead, .otherRead])
                try output.closeAfter {
                    var buffer = [UInt8](repeating: 0, count: 1 << 20)
                    while true {
                        let n = try buffer.withUnsafeMutableBytes { try input.read(into: $0) }
                        if n == 0 { break }
                        _ = try output.writeAll(buffer[..<n])
                    }
                    guard fsync(output.rawValue) == 0 else { throw Errno(rawValue: errno) }
                }
            }
        } catch {
            unlink(target)
            throw FileSystemError(path: source, reason: "cannot copy to \(target): \(error)")
        }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
