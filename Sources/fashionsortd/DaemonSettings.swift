import FashionModel
import Foundation

/// Every setting of `fashionsortd`, resolved: flag > environment > YAML file > default. A setting is one
/// entry of `all` below and its field here; the flags, `--help`, the reader, the start line and reloads
/// follow from `all`.
struct DaemonSettings: Sendable, Equatable {
    var root = "/var/lib/fashionsort"
    var inbox: String?
    var model: String?
    var reviewThreshold: Float?
    var otherThreshold: Float?
    var noneOfTheseThreshold: Float?
    var poll: Double?
    var recursive = false
    var instance = DaemonSettings.hostName()
    var batch = 256
    var rescanInterval: Double = 300
    var statusInterval: Double = 5
    var settle: Double = 2
    var maxFileSize = 64

    /// Where each setting came from, by key: `default`, `--batch`, `environment FASHIONSORT_BATCH`, `FILE:LINE`.
    var sources: [String: String] = [:]
    /// Values set in a lower layer that a higher one outranks, said at start so precedence is never silent.
    var overridden: [String] = []

    /// Every setting, in the order `--help` and the start line list them.
    static let all: [any SettingField] = [
        Setting(
            "root", \.root, help: "State directory holding inbox/, work/, out/, review/, other/, rejected/, results/.",
            defaultText: "/var/lib/fashionsort", valueName: "dir", reload: .restart, parse: SettingText.text,
            expected: "a non-empty text"),
        Setting<String>(
            "inbox", \.inbox, help: "Folder to watch.", defaultText: "ROOT/inbox", valueName: "dir", reload: .restart,
            parse: SettingText.text, expected: "a non-empty text", unset: "ROOT/inbox"),
        Setting<String>(
            "model", \.model, help: "Model checkpoint; reloaded when the file changes.",
            defaultText: "the shipped model", valueName: "file", reload: .live, parse: SettingText.text,
            expected: "a non-empty text", unset: "the shipped model"),
        Setting<Float>(
            "review-threshold", \.reviewThreshold, help: "Below this confidence a photo goes to review/<class>/.",
            defaultText: "the model's", valueName: "p", reload: .live, parse: SettingText.share, expected: "a number",
            check: SettingText.withinOne, unset: "model"),
        Setting<Float>(
            "other-threshold", \.otherThreshold,
            help: "Below this confidence a photo is taken for none of the classes: other/.",
            defaultText: "the model's", valueName: "p", reload: .live, parse: SettingText.share, expected: "a number",
            check: SettingText.withinOne, unset: "model"),
        Setting<Float>(
            "none-of-these-threshold", \.noneOfTheseThreshold,
            help: "From this \"none of these\" share (models with an eleventh output) a photo goes to other/ too.",
            defaultText: "the model's", valueName: "p", reload: .live, parse: SettingText.share, expected: "a number",
            check: SettingText.withinOne, unset: "model"),
        Setting<Double>(
            "poll", \.poll, help: "Scan every SECONDS instead of using inotify (NFS, SMB).",
            defaultText: "off: inotify", valueName: "seconds", reload: .restart, parse: SettingText.seconds,
            expected: "a number", check: SettingText.positiveSeconds, unset: "off"),
        Setting(
            "recursive", \.recursive, help: "Also watch subfolders of the inbox, including new ones.",
            defaultText: "false", valueName: nil, reload: .restart, parse: SettingText.bool,
            expected: "true or false (yes/no, on/off)"),
        Setting(
            "instance", \.instance, help: "Names work/<instance>/ and results/<day>-<instance>.csv.",
            defaultText: "host name", valueName: "name", reload: .restart, parse: SettingText.text,
            expected: "a name",
            check: { $0.contains("/") || $0.hasPrefix(".") ? "must be a plain name (no '/', not hidden)" : nil }),
        Setting(
            "batch", \.batch, help: "Files per forward pass at most.", defaultText: "256", valueName: "n",
            reload: .live, parse: { Int($0) }, expected: "a whole number",
            check: { $0 > 0 ? nil : "must be positive" }),
        Setting(
            "rescan-interval", \.rescanInterval, help: "Seconds between safety-net scans of the inbox.",
            defaultText: "300", valueName: "seconds", reload: .live, parse: SettingText.seconds, expected: "a number",
            check: SettingText.positiveSeconds),
        Setting(
            "status-interval", \.statusInterval,
            help: "Seconds between rewrites of status.json and metrics.prom while busy.", defaultText: "5",
            valueName: "seconds", reload: .live, parse: SettingText.seconds, expected: "a number",
            check: SettingText.positiveSeconds),
        Setting(
            "settle", \.settle, help: "Seconds a scanned file must have been quiet before it is taken.",
            defaultText: "2", valueName: "seconds", reload: .live, parse: SettingText.seconds, expected: "a number",
            check: SettingText.positiveSeconds),
        Setting(
            "max-file-size", \.maxFileSize, help: "Files larger than this many megabytes are rejected unread.",
            defaultText: "64", valueName: "MB", reload: .live, parse: { Int($0) },
            expected: "a whole number of megabytes", check: { (1...4096).contains($0) ? nil : "must be within 1…4096" }),
    ]

    /// The keys a configuration file may hold.
    static var keys: [String] { all.map(\.key) }

    /// Settings a reload cannot change.
    static var restartKeys: Set<String> { Set(all.filter(\.restart).map(\.key)) }

    var inboxPath: String { inbox ?? "\(root)/inbox" }
    var modelPath: String { Model.path(named: model ?? Model.defaultName) }

    /// `key=value` for every setting, for the start line and reload diffs.
    var values: [(key: String, value: String)] {
        Self.all.map { ($0.key, $0.key == "inbox" ? inboxPath : $0.key == "model" ? modelPath : $0.value(in: self)) }
    }

    /// These settings with the ones a reload cannot change as they were at start.
    func keepingRestartSettings(of started: DaemonSettings) -> DaemonSettings {
        var s = self
        for field in Self.all where field.restart { field.keep(started, in: &s) }
        return s
    }

    static func hostName() -> String {
        var buf = [UInt8](repeating: 0, count: 256)
        gethostname(&buf, 255)
        let h = String(decoding: buf.prefix { $0 != 0 }, as: UTF8.self)
        return h.isEmpty ? "local" : h
    }
}
