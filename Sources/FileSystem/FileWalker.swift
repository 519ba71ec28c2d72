import Foundation

/// Lists files under a path without loading a whole tree: one folder at a
/// time, sorted, hidden names skipped, symbolic links never followed.
public enum FileWalker {
    /// Calls `body` for `path` itself when it is not a folder, else for every
    /// non-hidden entry below it that is not a folder.
    public static func forEachFile(under path: String, _ body: (String) throws -> Void) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw FileSystemError(path: path, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { try body(path); return }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path).sorted() } catch {
            throw FileSystemError(path: path, reason: "cannot list folder: \(error.localizedDescription)")
        }
        for name in names where !FileName.isHidden(name) {
            let child = path.hasSuffix("/") ? path + name : path + "/" + name
            var cs = stat()
            guard lstat(child, &cs) == 0 else { continue }
            if (cs.st_mode & S_IFMT) == S_IFDIR { try forEachFile(under: child, body) } else { try body(child) }
        }
    }

    /// The non-hidden names in a folder, sorted; empty when it cannot be listed.
    /// Every entry's name as the bytes the filesystem holds (a name need not be UTF-8), `.` and `..` left out.
    public static func rawNames(in folder: String) -> [[UInt8]] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [0x2E] && name != [0x2E, 0x2E] { names.append(name) }
        }
        return names
    }

    public static func names(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !FileName.isHidden($0) }
            .sorted()
    }
}
