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
        guard access(path, R_OK | X_OK) == 0 else {
            throw FileSystemError(path: path, reason: "cannot list folder: \(String(cString: strerror(errno)))")
        }
        // A name that is not UTF-8 is passed as its %XX text, which `FileBytes.read` opens.
        let names = rawNames(in: path).map {
            (name: FileName.text($0), text: String(validating: $0, as: UTF8.self) != nil)
        }
        for (name, isText) in names.sorted(by: { $0.name < $1.name }) where !FileName.isHidden(name) {
            let child = path.hasSuffix("/") ? path + name : path + "/" + name
            var cs = stat()
            guard lstat(child, &cs) == 0 else {
                if !isText { try body(child) }
                continue
            }
            if (cs.st_mode & S_IFMT) == S_IFDIR { try forEachFile(under: child, body) } else { try body(child) }
        }
    }

    /// The files `forEachFile` calls its body for, in its order.
    public static func files(under path: String) throws -> [String] {
        var files: [String] = []
        try forEachFile(under: path) { files.append($0) }
        return files
    }

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

    /// The non-hidden names in a folder, sorted; empty when it cannot be listed.
    public static func names(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !FileName.isHidden($0) }
            .sorted()
    }
}
