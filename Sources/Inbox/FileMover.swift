import FashionModel
import Foundation

/// Moves that never overwrite: an existing target name gets a numbered
/// suffix (`shirt-1.jpg`). Within a filesystem link(2)+unlink(2) makes the
/// no-overwrite check atomic; across filesystems the file is copied, fsynced,
/// linked into place, then the source removed.
public enum FileMover {
    public struct Failure: Error, CustomStringConvertible {
        public let path: String, reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Moves `source` into `folder` under `name` or a free variant; returns the final path.
    @discardableResult
    public static func move(_ source: String, into folder: String, name: String) throws(Failure) -> String {
        let (stem, ext) = split(name)
        for n in 0..<10_000 {
            let target = "\(folder)/\(n == 0 ? name : "\(stem)-\(n)\(ext)")"
            if link(source, target) == 0 {
                unlink(source)
                return target
            }
            switch errno {
            case EEXIST:
                // A crash between link and unlink left the file in both places: finish the move.
                if sameFile(source, target) { unlink(source); return target }
                continue
            case EXDEV, EPERM: return try copyAcross(source, folder: folder, name: name)
            default: throw Failure(path: source, reason: "cannot move to \(target): \(String(cString: strerror(errno)))")
            }
        }
        throw Failure(path: source, reason: "no free name in \(folder)")
    }

    /// Atomic claim of an inbox file: rename(2) succeeds for exactly one
    /// claimer. Returns the path in `folder`, or nil if another process won.
    public static func claim(_ source: String, into folder: String, name: String) throws(Failure) -> String? {
        let (stem, ext) = split(name)
        for n in 0..<10_000 {
            let target = "\(folder)/\(n == 0 ? name : "\(stem)-\(n)\(ext)")"
            // Never replace a file already in work/ (renameat2 NOREPLACE).
            if renameNoReplace(source, target) == 0 { return target }
            switch errno {
            case EEXIST: continue
            case ENOENT: return nil
            default: throw Failure(path: source, reason: "cannot claim: \(String(cString: strerror(errno)))")
            }
        }
        throw Failure(path: source, reason: "no free name in \(folder)")
    }

    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        return lstat(a, &sa) == 0 && lstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    static func split(_ name: String) -> (String, String) {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (name, "") }
        return (String(name[..<dot]), String(name[dot...]))
    }

    private static func copyAcross(_ source: String, folder: String, name: String) throws(Failure) -> String {
        let tmp = "\(folder)/.\(name).copy-\(getpid())"
        guard let data = FileManager.default.contents(atPath: source) else { throw Failure(path: source, reason: "cannot read for copy") }
        do { try AtomicFile.write([UInt8](data), to: tmp) } catch { throw Failure(path: tmp, reason: error.reason) }
        let (stem, ext) = split(name)
        for n in 0..<10_000 {
            let target = "\(folder)/\(n == 0 ? name : "\(stem)-\(n)\(ext)")"
            if link(tmp, target) == 0 { unlink(tmp); unlink(source); return target }
            if errno != EEXIST { break }
        }
        unlink(tmp)
        throw Failure(path: source, reason: "cannot place copy in \(folder): \(String(cString: strerror(errno)))")
    }
}

@_silgen_name("renameat2") private func c_renameat2(_ olddirfd: Int32, _ oldpath: UnsafePointer<CChar>, _ newdirfd: Int32,
                                                     _ newpath: UnsafePointer<CChar>, _ flags: UInt32) -> Int32

/// rename(2) that fails with EEXIST instead of replacing (RENAME_NOREPLACE).
func renameNoReplace(_ from: String, _ to: String) -> Int32 {
    c_renameat2(AT_FDCWD, from, AT_FDCWD, to, 1)
}

