/// Why the daemon cannot start or keep watching: the one error type of this module.
public enum InboxError: Error, Equatable, CustomStringConvertible {
    /// A folder the daemon needs cannot be created or written.
    case folder(path: String, reason: String)
    /// The inbox would receive the daemon's own output.
    case feedbackLoop(inbox: String, reason: String)
    /// inotify refused the watch.
    case watch(path: String, reason: String)
    /// Another daemon holds this instance's lock.
    case locked(path: String, reason: String)
    /// A model that loads but cannot be trusted with photos.
    case model(path: String, reason: String)

    public var description: String {
        switch self {
        case .folder(let p, let r), .watch(let p, let r), .locked(let p, let r),
            .model(let p, let r):
            "\(p): \(r)"
        case .feedbackLoop(let p, let r): "\(p): \(r)"
        }
    }
}
