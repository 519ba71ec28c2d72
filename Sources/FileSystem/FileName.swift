/// Rules about names shared by every folder walk and every move.
public enum FileName {
    /// Hidden names (`.attempts`, `.x.tmp-1`) are ours or another tool's bookkeeping: never listed as photos.
    public static func isHidden(_ name: some StringProtocol) -> Bool { name.hasPrefix(".") }

    /// One name that stays where it is put: not empty, not `.` or `..`, no `/` or NUL, at most 255 bytes.
    /// Every name the daemon creates or renames to passes this, whatever it was told.
    public static func isPlainName(_ name: [UInt8]) -> Bool {
        !name.isEmpty && name.count <= maxBytes && name != [0x2E] && name != [0x2E, 0x2E]
            && !name.contains(0x2F) && !name.contains(0)
    }

    /// The longest name a Linux filesystem takes, in bytes.
    public static let maxBytes = 255

    /// `name`, then `stem-1.ext`, `stem-2.ext`, …: the one rule for a free variant of a taken name.
    /// A variant that would be too long loses the end of its stem instead.
    public static func variants(of name: String, limit: Int = 10_000) -> some Sequence<String> {
        variants(of: Array(name.utf8), limit: limit).lazy.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The same variants as bytes, for a name that need not be text.
    public static func variants(of name: [UInt8], limit: Int = 10_000) -> some Sequence<[UInt8]> {
        let (stem, dotted) = split(name)
        let ext = Array(dotted)
        return (0..<limit).lazy.map { fitted(stem, suffix: ($0 == 0 ? [] : Array("-\($0)".utf8)) + ext) }
    }

    /// `stem + suffix`, the stem cut (never inside a character's bytes) so that the whole fits in `maxBytes`.
    public static func fitted(_ stem: String, suffix: String = "") -> String {
        String(decoding: fitted(Array(stem.utf8)[...], suffix: Array(suffix.utf8)), as: UTF8.self)
    }

    /// The byte form: the stem is cut before a UTF-8 lead byte, never inside a sequence.
    static func fitted(_ stem: ArraySlice<UInt8>, suffix: [UInt8]) -> [UInt8] {
        var end = stem.endIndex
        while end > stem.startIndex, end - stem.startIndex + suffix.count > maxBytes {
            end -= 1
            while end > stem.startIndex, stem[end] & 0xC0 == 0x80 { end -= 1 }
        }
        return Array(stem[..<end]) + suffix
    }

    /// A name's bytes as text: valid UTF-8 as it is, else every byte that is not part of a
    /// valid UTF-8 sequence written as `%XX`, and `%` itself as `%25` so that `bytes(ofText:)`
    /// gives the bytes back (`caf\\xE9.png` → `caf%E9.png`).
    public static func text(_ bytes: [UInt8]) -> String {
        if let valid = String(validating: bytes, as: UTF8.self) { return valid }
        var out = "", i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length = b < 0x80 ? 1 : b >> 5 == 0b110 ? 2 : b >> 4 == 0b1110 ? 3 : b >> 3 == 0b11110 ? 4 : 0
            if b != 0x25, length > 0, i + length <= bytes.count,
                let scalar = String(validating: bytes[i..<i + length], as: UTF8.self)
            {
                out += scalar
                i += length
            } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
                i += 1
            }
        }
        return out
    }

    /// The bytes `text(_:)` wrote as `text`; nil when `text` is no such escaped name (it has no `%XX`,
    /// or its bytes would be valid UTF-8, which `text(_:)` leaves as it is).
    public static func bytes(ofText text: String) -> [UInt8]? {
        guard text.contains("%") else { return nil }
        var out: [UInt8] = [], utf8 = Array(text.utf8)[...]
        while let b = utf8.popFirst() {
            guard b == 0x25 else { out.append(b); continue }
            guard utf8.count >= 2, let v = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) else {
                return nil
            }
            out.append(v)
            utf8 = utf8.dropFirst(2)
        }
        return String(validating: out, as: UTF8.self) == nil ? out : nil
    }

    /// `photo.tar.gz` → (`photo.tar`, `.gz`); a leading dot is part of the stem.
    public static func split(_ name: String) -> (stem: String, ext: String) {
        let (stem, ext) = split(Array(name.utf8))
        return (String(decoding: stem, as: UTF8.self), String(decoding: ext, as: UTF8.self))
    }

    /// The byte form, for a name that need not be text: cut at the last `.` unless it leads.
    static func split(_ name: [UInt8]) -> (stem: ArraySlice<UInt8>, ext: ArraySlice<UInt8>) {
        let dot = name.lastIndex(of: 0x2E).flatMap { $0 == 0 ? nil : $0 } ?? name.endIndex
        return (name[..<dot], name[dot...])
    }
}

extension String {
    fileprivate func leftPadded(to n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
