import Foundation
import Synchronization
import SystemPackage

/// Original names of claims that their work/ name cannot carry: cut to fit 255 bytes, or not UTF-8
/// (work/ holds the %XX text). One JSON line each (`{"id":…,"name":…,"raw":"<hex>"}`), in work/, which only
/// the daemon writes, so that recovery files them under their real name.
public final class LongNames: Sendable {
    public let path: String
    private let lock = Mutex(())

    init(path: String) { self.path = path }

    private struct Entry: Codable {
        var id: String, name: String
        /// The last name's bytes in hex, when they are not UTF-8.
        var raw: String?
    }

    /// The inbox path as text, and the file's own name as bytes when it is not that text's last part.
    public struct Name: Equatable, Sendable {
        public var original: String, realName: [UInt8]?
    }

    func note(id: String, original: String, realName: [UInt8]?) {
        let entry = Entry(id: id, name: original, raw: realName.map(Self.hex))
        guard let line = try? JSONEncoder().encode(entry) else { return }
        lock.withLock { _ in
            guard
                let fd = try? FileDescriptor.open(
                    FilePath(path), .writeOnly, options: [.create, .append, .closeOnExec],
                    permissions: [.ownerReadWrite, .groupRead, .otherRead])
            else { return }
            _ = try? fd.writeAll(Array(line) + [0x0A])
            try? fd.close()
        }
    }

    /// Claim id → names.
    public func all() -> [String: Name] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        let entries = text.split(separator: "\n").compactMap {
            try? JSONDecoder().decode(Entry.self, from: Data($0.utf8))
        }
        return Dictionary(
            entries.map { ($0.id, Name(original: $0.name, realName: $0.raw.flatMap(Self.bytes))) },
            uniquingKeysWith: { a, _ in a })
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    private static func bytes(_ hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let b = UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(b)
        }
        return out
    }

    public func clear() { unlink(path) }
}
