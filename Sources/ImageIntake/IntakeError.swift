/// Why a file could not become a model input. Every case names the file.
public enum IntakeError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case empty(file: String)
    case unknownFormat(file: String, firstBytes: String)
    /// A known image format we do not decode (HEIC, WebP, …): named, with what to do.
    case otherFormat(file: String, format: OtherImageFormat)
    /// A valid file of our formats in a variant the library does not decode (12-bit or lossless JPEG).
    case unsupportedVariant(file: String, format: ImageFormat, detail: String)
    case corrupt(file: String, format: ImageFormat, detail: String)
    case truncated(file: String, format: ImageFormat, detail: String)
    case tooLarge(file: String, detail: String)
    case outOfMemory(file: String)
    /// More work than the limits allow (progressive scans, decoding time): a hostile file's way to stall the rest.
    case tooCostly(file: String, detail: String)

    public var file: String {
        switch self {
        case .unreadable(let f, _), .empty(let f), .unknownFormat(let f, _), .corrupt(let f, _, _),
            .truncated(let f, _, _), .tooLarge(let f, _), .outOfMemory(let f), .tooCostly(let f, _),
            .otherFormat(let f, _), .unsupportedVariant(let f, _, _):
            f
        }
    }

    /// The cause without the file name, for a CSV column.
    public var reason: String {
        switch self {
        case .unreadable(_, let r): "cannot read: \(r)"
        case .empty: "empty file (0 bytes)"
        case .unknownFormat(_, let b): "not a PNG or JPEG (starts with \(b))"
        case .otherFormat(_, let f): "\(f.name), not PNG or JPEG: \(f.advice)"
        case .unsupportedVariant(_, let f, let d):
            "unsupported \(f.rawValue) variant (\(d)): save it as an ordinary 8-bit \(f.rawValue)"
        case .corrupt(_, let f, let d): "corrupt \(f.rawValue): \(d)"
        case .truncated(_, let f, let d): "truncated \(f.rawValue): \(d)"
        case .tooLarge(_, let d): "too large: \(d)"
        case .outOfMemory: "out of memory while decoding"
        case .tooCostly(_, let d): "too costly to decode: \(d)"
        }
    }

    /// A short machine-friendly kind, for logs and metrics.
    public var kind: String {
        switch self {
        case .unreadable: "unreadable"
        case .empty: "empty"
        case .unknownFormat: "unknown-format"
        case .otherFormat: "other-format"
        case .unsupportedVariant: "unsupported-variant"
        case .corrupt: "corrupt"
        case .truncated: "truncated"
        case .tooLarge: "too-large"
        case .outOfMemory: "out-of-memory"
        case .tooCostly: "too-costly"
        }
    }

    public var description: String { "\(file): \(reason)" }
}
