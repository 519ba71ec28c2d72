import FashionModel
import Foundation

/// Every setting of `fashionsortd`, resolved: flag > environment > YAML file > default.
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

    static let root = Setting<String>.text(
        "root", "State directory holding inbox/, work/, out/, review/, other/, rejected/, results/.",
        default: "/var/lib/fashionsort")
    static let inbox = Setting<String>.text("inbox", "Folder to watch.", default: "ROOT/inbox")
    static let model = Setting<String>.text(
        "model", "Model checkpoint; reloaded when the file changes.", default: "the shipped model", reload: .live)
    static let reviewThreshold = Setting<Float>.share(
        "review-threshold", "Below this confidence a photo goes to review/<class>/.")
    static let otherThreshold = Setting<Float>.share(
        "other-threshold", "Below this confidence a photo is taken for none of the classes: other/.")
    static let noneOfTheseThreshold = Setting<Float>.share(
        "none-of-these-threshold",
        "From this \"none of these\" share (models with an eleventh output) a photo goes to other/ too.")
    static let poll = Setting<Double>.seconds(
        "poll", "Scan every SECONDS instead of using inotify (NFS, SMB).", default: "off: inotify", reload: .restart)
    static let recursive = Setting<Bool>.flag("recursive", "Also watch subfolders of the inbox, including new ones.")
    static let instance = Setting<String>(
        key: "instance", help: "Names work/<instance>/ and results/<day>-<instance>.csv.", defaultText: "host name",
        reload: .restart, parse: { $0.isEmpty ? nil : $0 }, expected: "a name",
        check: { $0.contains("/") || $0.hasPrefix(".") ? "must be a plain name (no '/', not hidden)" : nil })
    static let batch = Setting<Int>(
        key: "batch", help: "Files per forward pass at most.", defaultText: "256", reload: .live, parse: { Int($0) },
        expected: "a whole number", check: { $0 > 0 ? nil : "must be positive" })
    static let rescanInterval = Setting<Double>.seconds(
        "rescan-interval", "Seconds between safety-net scans of the inbox.", default: "300")
    static let statusInterval = Setting<Double>.seconds(
        "status-interval", "Seconds between rewrites of status.json and metrics.prom while busy.", default: "5")
    static let settle = Setting<Double>.seconds(
        "settle", "Seconds a scanned file must have been quiet before it is taken.", default: "2")

    static let maxFileSize = Setting<Int>(
        key: "max-file-size", help: "Files larger than this many megabytes are rejected unread.", defaultText: "64",
        reload: .live, parse: { Int($0) }, expected: "a whole number of megabytes",
        check: { (1...4096).contains($0) ? nil : "must be within 1…4096" })

    /// Every setting and the field it sets, in the order the start line lists them.
    static var fields: [any SettingField] {
        [
            Field(root, \.root), Field(inbox, \.inbox), Field(model, \.model),
            Field(reviewThreshold, \.reviewThreshold),
            Field(otherThreshold, \.otherThreshold), Field(noneOfTheseThreshold, \.noneOfTheseThreshold),
            Field(poll, \.poll), Field(recursive, \.recursive),
            Field(instance, \.instance), Field(batch, \.batch), Field(rescanInterval, \.rescanInterval),
            Field(statusInterval, \.statusInterval), Field(settle, \.settle), Field(maxFileSize, \.maxFileSize),
        ]
    }

    /// The keys a configuration file may hold.
    static var keys: [String] { fields.map(\.key) }

    /// Settings a reload cannot change.
    static var restartKeys: Set<String> { Set(fields.filter(\.restart).map(\.key)) }

    var inboxPath: String { inbox ?? "\(root)/inbox" }
    var modelPath: String { model ?? Model.defaultPath }

    /// `key=value` for every setting, for the start line and reload diffs.
    var values: [(key: String, value: String)] {
        [
            (Self.root.key, root), (Self.inbox.key, inboxPath), (Self.model.key, modelPath),
            (Self.reviewThreshold.key, reviewThreshold.map { "\($0)" } ?? "model"),
            (Self.otherThreshold.key, otherThreshold.map { "\($0)" } ?? "model"),
            (Self.noneOfTheseThreshold.key, noneOfTheseThreshold.map { "\($0)" } ?? "model"),
            (Self.poll.key, poll.map { "\($0)" } ?? "off"),
            (Self.recursive.key, "\(recursive)"), (Self.instance.key, instance), (Self.batch.key, "\(batch)"),
            (Self.rescanInterval.key, "\(rescanInterval)"), (Self.statusInterval.key, "\(statusInterval)"),
            (Self.settle.key, "\(settle)"), (Self.maxFileSize.key, "\(maxFileSize)"),
        ]
    }

    static func hostName() -> String {
        var buf = [UInt8](repeating: 0, count: 256)
        gethostname(&buf, 255)
        let h = String(decoding: buf.prefix { $0 != 0 }, as: UTF8.self)
        return h.isEmpty ? "local" : h
    }
}
