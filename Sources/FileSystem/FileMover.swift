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

    /// Atomic claim of an inbox file: rename(2) succeeds for exactly one
    /// claimer. Returns the path in `folder`, or nil if another process won.
    /// When `folder` is on another filesystem the claim is a rename into
    /// `staging` (a folder on the source's filesystem, so claimers on several
    /// hosts sharing it still never take one file), then a move into `folder`.
    public static func claim(
        _ source: String, into folder: String, name: String, staging: String? = nil
    ) throws(FileSystemError) -> String? {
        for candidate in FileName.variants(of: name) {
            let target = "\(folder)/\(candidate)"
            // Never replace a file already there (renameat2 NOREPLACE).
            if renameNoReplace(source, target) == 0 { return target }
            switch errno {
            case EEXIST: continue
            case ENOENT: return nil
            case EXDEV where staging != nil:
                try Folder.create(staging!)  // hidden, so no watcher or scan takes what is in it
                guard let staged = try claim(source, into: staging!, name: candidate) else { return nil }
                return try move(staged, into: folder, name: (staged as NSString).lastPathComponent)
            default: throw FileSystemError(path: source, reason: "cannot claim: \(lastError())")
            }
        }
        throw FileSystemError(path: source, reason: "no free name in \(folder)")
    }

    /// Gives an entry whose name is not UTF-8 the text of `FileName.text` (or a free variant of it),
    /// so every later step can name it; returns the new name, nil if it vanished or cannot be renamed.
    /// The real name goes with the inode, in an extended attribute, for `restoreRealName` to give back.
    public static func renameToText(in folder: String, raw: [UInt8]) -> String? {
        let source = Array(folder.utf8) + [0x2F] + raw + [0]
        _ = source.withUnsafeBufferPointer { s in
            s.withMemoryRebound(to: CChar.self) { lsetxattr($0.baseAddress!, realNameAttribute, raw, raw.count, 0) }
        }
        for candidate in FileName.variants(of: FileName.text(raw)) {
            let status = source.withUnsafeBufferPointer { s in
                s.withMemoryRebound(to: CChar.self) {
                    renameat2(AT_FDCWD, $0.baseAddress!, AT_FDCWD, "\(folder)/\(candidate)", 1)
                }
            }
            if status == 0 { return candidate }
            if errno != EEXIST { return nil }
        }
        return nil
    }

    /// Renames a file `renameToText` renamed back to its real name (or a free variant of it) in its folder;
    /// the name it has when that name is taken or its filesystem keeps no extended attributes.
    @discardableResult
    public static func restoreRealName(_ path: String) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: FileName.maxBytes)
        let n = lgetxattr(path, realNameAttribute, &buffer, buffer.count)
        guard n > 0 else { return nil }
        let folder = Array((path as NSString).deletingLastPathComponent.utf8) + [0x2F]
        for name in FileName.variants(of: Array(buffer[..<n])) {
            let target = (folder + name + [0]).map { CChar(bitPattern: $0) }
            if renameat2(AT_FDCWD, path, AT_FDCWD, target, 1) == 0 {
                _ = lremovexattr(target, realNameAttribute)
                return name
            }
            if errno != EEXIST { return nil }
        }
        return nil
    }

    private static let realNameAttribute = "user.fashionsort.name"

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
                    var name = [UInt8](repeating: 0, count: FileName.maxBytes)
                    let n = fgetxattr(input.rawValue, realNameAttribute, &name, name.count)
                    if n > 0 { _ = fsetxattr(output.rawValue, realNameAttribute, name, n, 0) }
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

/// rename(2) that fails with EEXIST instead of replacing (RENAME_NOREPLACE).
func renameNoReplace(_ from: String, _ to: String) -> Int32 {
    renameat2(AT_FDCWD, from, AT_FDCWD, to, 1)
}
