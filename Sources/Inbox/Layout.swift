import FashionModel
import FileSystem
import Foundation

/// The daemon's folders under one state directory (each overridable).
public struct Layout: Sendable {
    public var root: String
    public var inbox: String
    public var out: String
    public var review: String
    /// Photos the model takes for none of its classes.
    public var other: String
    public var rejected: String
    public var results: String
    /// This instance's in-progress folder: work/<instance>, so daemons sharing
    /// an inbox never finish each other's files after a restart.
    public var work: String
    public var instance: String

    public init(
        root: String, instance: String, inbox: String? = nil, out: String? = nil, review: String? = nil,
        other: String? = nil, rejected: String? = nil, results: String? = nil, work: String? = nil
    ) {
        self.root = root
        self.instance = instance
        self.inbox = inbox ?? "\(root)/inbox"
        self.out = out ?? "\(root)/out"
        self.review = review ?? "\(root)/review"
        self.other = other ?? "\(root)/other"
        self.rejected = rejected ?? "\(root)/rejected"
        self.results = results ?? "\(root)/results"
        self.work = work ?? "\(root)/work/\(instance)"
    }

    /// Where a claim lands first when work/ is on another filesystem than the inbox (a network share):
    /// a hidden folder inside the inbox, so the claim is still one rename(2) on the inbox's filesystem.
    public var staging: String { "\(inbox)/.fashionsort/\(instance)" }

    public var statusFile: String { "\(root)/status.json" }
    public var metricsFile: String { "\(root)/metrics.prom" }
    /// Decode attempts of files in work/, to quarantine a file that crashes the daemon twice.
    public var attemptsFile: String { "\(work)/.attempts" }
    /// Real names of claims whose work/ name had to be cut to 255 bytes.
    public var longNamesFile: String { "\(work)/.long-names" }

    /// The folders the daemon puts files into: work/, other/, rejected/, results/ and every class folder.
    public var written: [String] {
        [work, other, rejected, results]
            + FashionClass.allCases.flatMap { ["\(out)/\($0.slug)", "\(review)/\($0.slug)"] }
    }

    /// The folders a photo can be filed into: rejected/, other/ and every class folder of out/ and review/.
    public var filingFolders: Set<String> {
        Set([other, rejected] + FashionClass.allCases.flatMap { ["\(out)/\($0.slug)", "\(review)/\($0.slug)"] })
    }

    /// Creates every folder (class folders included) and checks it is writable. Only the inbox is the
    /// group's to write (mode 3770: set-group-ID, so uploads belong to the daemon's group, and sticky, so an
    /// uploader can remove or rename only its own files); every other folder is 0750, readable by the group
    /// at most. A folder of the daemon's own that an earlier version made group-writable is tightened, and
    /// the change returned to be logged.
    @discardableResult
    public func create() throws(InboxError) -> [String] {
        var tightened: [String] = []
        for (d, mode) in [(root, mode_t(0o750)), (inbox, mode_t(0o3770))] + written.map({ ($0, mode_t(0o750)) }) {
            var st = stat()
            let existed = stat(d, &st) == 0
            do {
                try FileManager.default.createDirectory(
                    atPath: d, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
            } catch {
                throw .folder(path: d, reason: "cannot create folder: \(Self.reason(error))")
            }
            if !existed {
                chmod(d, mode)
            } else if d != inbox && d != root && st.st_uid == geteuid() && st.st_mode & 0o022 != 0 {
                chmod(d, st.st_mode & 0o7755)
                tightened.append(d)
            }
            guard access(d, W_OK | X_OK) == 0 else {
                throw .folder(path: d, reason: "not writable: \(String(cString: strerror(errno)))")
            }
        }
        return tightened
    }

    /// Refuses an inbox that would receive the daemon's own output: a folder it
    /// files into (or its work/ or results/) that is the inbox, or lies inside it
    /// when subfolders are watched, would be taken in again and again.
    /// Call after `create`, so links are resolved.
    public func checkNoFeedbackLoop(recursive: Bool) throws(InboxError) {
        func real(_ p: String) -> String {
            guard let r = realpath(p, nil) else { return (p as NSString).standardizingPath }
            defer { free(r) }
            return String(cString: r)
        }
        let inbox = real(self.inbox)
        for folder in written {
            let f = real(folder)
            if f == inbox {
                throw .feedbackLoop(
                    inbox: self.inbox,
                    reason:
                        "is also where the daemon puts files (\(folder)): choose an inbox outside its output folders")
            }
            if recursive && f.hasPrefix(inbox + "/") {
                throw .feedbackLoop(
                    inbox: self.inbox,
                    reason: "contains \(folder), where the daemon puts files, and --recursive would take them in "
                        + "again: choose an inbox outside it, or leave out --recursive")
            }
        }
    }

    static func reason(_ error: Error) -> String {
        if let e = error as NSError?, let u = e.userInfo[NSUnderlyingErrorKey] as? NSError,
            u.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(u.code)))
        }
        return (error as NSError).localizedDescription
    }
}
