import Synchronization

/// The first file name seen per content hash. Keyed by the hash's first 64
/// bits to keep it small (about 100 bytes per distinct photo).
public final class DuplicateIndex: Sendable {
    private let first: Mutex<[UInt64: String]>

    /// `history`: full hex SHA-256 → first file, from the results already recorded.
    public init(history: [String: String] = [:]) {
        first = Mutex(Dictionary(history.map { (Self.key($0.key), $0.value) }, uniquingKeysWith: { a, _ in a }))
    }

    /// The file first seen with this content, or nil after noting `file` as the first.
    public func firstFile(sha256: String, noting file: String) -> String? {
        first.withLock { index in
            let k = Self.key(sha256)
            if let f = index[k] { return f }
            index[k] = file
            return nil
        }
    }

    static func key(_ hex: String) -> UInt64 { UInt64(hex.prefix(16), radix: 16) ?? 0 }
}
