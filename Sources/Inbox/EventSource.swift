/// Something that reports files that may be ready in the inbox. Sources may
/// report a file more than once; the queue keeps one entry per path.
public protocol EventSource: AnyObject, Sendable {
    /// Starts reporting through `sink` (from a thread of the source's own).
    func start(_ sink: @escaping @Sendable (SourceEvent) -> Void) throws
    func stop()
}

public enum SourceEvent: Sendable, Equatable {
    /// A file was closed after writing or moved in.
    case file(String)
    /// Events were lost (queue overflow): the inbox must be rescanned.
    case rescan
}
