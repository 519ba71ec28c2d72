/// Rules about names shared by every folder walk and every move.
public enum FileName {
    /// Hidden names (`.attempts`, `.x.tmp-1`) are ours or another tool's bookkeeping: never listed as photos.
    public static func isHidden(_ name: some StringProtocol) -> Bool { name.hasPrefix(".") }

    /// `name`, then `stem-1.ext`, `stem-2.ext`, …: the one rule for a free variant of a taken name.
    public static func variants(of name: String, limit: Int = 10_000) -> some Sequence<String> {
        let (stem, ext) = split(name)
        return (0..<limit).lazy.map { $0 == 0 ? name : "\(stem)-\($0)\(ext)" }
    }

    /// `photo.tar.gz` → (`photo.tar`, `.gz`); a leading dot is part of the stem.
    static func split(_ name: String) -> (stem: String, ext: String) {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (name, "") }
        return (String(name[..<dot]), String(name[dot...]))
    }
}
