import Foundation

/// Appends rows to results/YYYY-MM-DD-<instance>.csv (UTC day), header once
/// per file, fsync after each batch. One file per instance because appends
/// from several NFS clients to one file interleave.
public final class ResultsLog {
    public let folder: String
    public let instance: String
    private var fd: Int32 = -1
    private var openDay = ""

    public init(folder: String, instance: String) {
        self.folder = folder
        self.instance = instance
    }

    deinit { if fd >= 0 { close(fd) } }

    public func path(day: String) -> String { "\(folder)/\(day)-\(instance).csv" }

    public struct Failure: Error, CustomStringConvertible {
        public let path: String, reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Appends the rows and fsyncs; a row is durable when this returns.
    public func append(_ records: [ResultRecord], day: String) throws(Failure) {
        guard !records.isEmpty else { return }
        if day != openDay || fd < 0 {
            if fd >= 0 { close(fd) }
            let p = path(day: day)
            fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw Failure(path: p, reason: String(cString: strerror(errno))) }
            openDay = day
            var st = stat()
            if fstat(fd, &st) == 0 && st.st_size == 0 { try write(CSV.line(ResultRecord.daemonColumns)) }
        }
        try write(records.map { CSV.line($0.values(ResultRecord.daemonColumns)) }.joined())
        guard fsync(fd) == 0 else { throw Failure(path: path(day: openDay), reason: "fsync: \(String(cString: strerror(errno)))") }
    }

    private func write(_ s: String) throws(Failure) {
        let bytes = Array(s.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, bytes.count - off) }
            if n < 0 { if errno == EINTR { continue }; throw Failure(path: path(day: openDay), reason: String(cString: strerror(errno))) }
            off += n
        }
    }

    /// Rows already recorded by any instance: `claim id → output` and the
    /// first file seen per content hash. Read once at start-up for recovery
    /// and duplicate detection.
    public static func history(folder: String) -> (recorded: [String: String], firstByHash: [String: String]) {
        var recorded: [String: String] = [:], first: [String: String] = [:]
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".csv") }.sorted()
        for f in files {
            guard let text = try? String(contentsOfFile: "\(folder)/\(f)", encoding: .utf8) else { continue }
            var header: [String] = []
            for line in CSV.parse(text) {
                if header.isEmpty { header = line; continue }
                guard line.count == header.count else { continue }
                let row = Dictionary(uniqueKeysWithValues: zip(header, line))
                guard let sha = row["sha256"], let file = row["file"] else { continue }
                if let id = row["id"], !id.isEmpty { recorded[id] = row["output"] ?? "" }
                if !sha.isEmpty && first[sha] == nil && row["status"] != "rejected" { first[sha] = file }
            }
        }
        return (recorded, first)
    }
}

extension CSV {
    /// RFC 4180 records (quoted fields, doubled quotes, CRLF or LF).
    public static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var it = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let n = it.next() { if n == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = n } } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
                continue
            }
            switch c {
            case "\"": quoted = true
            case ",": row.append(field); field = ""
            case "\r": continue
            case "\n": row.append(field); rows.append(row); row = []; field = ""
            default: field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
