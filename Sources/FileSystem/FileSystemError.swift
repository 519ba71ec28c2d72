import SystemPackage

/// Why a file operation failed, with the path it failed on: the one error type of this module.
public struct FileSystemError: Error, Equatable, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    /// The file is larger than the caller's limit (it was not read).
    public let tooLarge: Bool

    public init(path: String, reason: String, tooLarge: Bool = false) {
        self.path = path
        self.reason = reason
        self.tooLarge = tooLarge
    }

    public init(path: String, _ errno: Errno) {
        self.init(path: path, reason: errno.description)
    }

    /// From whatever a swift-system call threw (an `Errno`, or this type from a nested call).
    public init(path: String, _ error: any Error) {
        switch error {
        case let e as Errno: self.init(path: path, e)
        case let e as FileSystemError: self.init(path: path, reason: e.reason, tooLarge: e.tooLarge)
        default: self.init(path: path, reason: "\(error)")
        }
    }

    public var description: String { "\(path): \(reason)" }
}
