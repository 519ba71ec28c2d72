import FileSystem

/// Names the watcher never picks up: hidden files and the temporary names
/// that browsers, office suites and copy tools write before the real file.
public enum IgnoreRules {
    static let suffixes = [".part", ".tmp", ".crdownload", ".partial", ".swp", ".download"]

    public static func ignores(_ name: String) -> Bool {
        if name.isEmpty || FileName.isHidden(name) || name.hasPrefix("~$") || name.hasSuffix("~") { return true }
        let lower = name.lowercased()
        return suffixes.contains { lower.hasSuffix($0) }
    }
}
