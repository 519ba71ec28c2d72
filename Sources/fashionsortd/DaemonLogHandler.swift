import Foundation
import Logging

/// One line per event on standard error, message first, then `key=value`
/// metadata. Under systemd (stderr is the journal stream) each line starts
/// with its syslog priority (`<4>` for warnings, sd-daemon(3)) and carries no
/// timestamp of its own, since the journal adds one.
struct DaemonLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    let journal: Bool

    init(journal: Bool = DaemonLogHandler.stderrIsJournal()) {
        self.journal = journal
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let extra = event.metadata { all.merge(extra) { $1 } }
        if let error = event.error { all["error"] = "\(error)" }
        let prefix = journal ? "<\(Self.priority(event.level))>" : "\(Self.timestamp()) \(event.level) "
        let fields = all.sorted { $0.key < $1.key }.map { " \($0.key)=\(Self.quoted("\($0.value)"))" }.joined()
        let line = prefix + "\(event.message)" + fields + "\n"
        line.utf8CString.withUnsafeBufferPointer { p in
            var off = 0
            let count = p.count - 1
            while off < count {
                let n = write(2, p.baseAddress! + off, count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                off += n
            }
        }
    }

    /// syslog(3) priorities, as journald reads them from the line's start.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Values with spaces, quotes or `=` are quoted, so a line splits back into its fields.
    static func quoted(_ v: String) -> String {
        guard v.isEmpty || v.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) else { return v }
        return "\""
            + v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    private static func timestamp() -> String {
        Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// `JOURNAL_STREAM` names the journal's stream as `device:inode`; it counts only
    /// while standard error still is that stream (not redirected by a wrapper).
    static func stderrIsJournal(_ env: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let stream = env["JOURNAL_STREAM"] else { return false }
        var st = stat()
        guard fstat(2, &st) == 0 else { return false }
        return stream == "\(st.st_dev):\(st.st_ino)"
    }
}
