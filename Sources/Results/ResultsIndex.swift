import CSQLite
import FileSystem
import Foundation
import Synchronization

/// What the daemon must look up in the recorded results — the first file per
/// content hash, the output of each claim id — kept in SQLite (WAL) beside the
/// CSVs, so start-up costs the same after a day or a year. The CSVs stay the
/// record of truth and the index only a cache of them: it notes how many bytes
/// of each it has read and reads on from there (rows appended before a crash,
/// or while the index was locked or its disk full), reads a file again from its
/// start when it was rewritten, is rebuilt when missing or broken, and skips a
/// CSV in the folder that is not a results file.
public final class ResultsIndex: Sendable {
    public let path: String
    public let folder: String
    private let db: Mutex<Connection>
    /// Hashes noted by the batches in flight, until their rows are added.
    private let pending = Mutex<[String: String]>([:])
    /// What opening found that the caller should tell: a broken index moved aside, foreign CSVs skipped.
    public var notes: [String] { noted.withLock { $0 } }
    private let noted = Mutex<[String]>([])

    public static func path(folder: String) -> String { "\(folder)/.index.sqlite" }

    /// Opens (or creates) the index of `folder`'s CSVs and reads what they gained since. An index that is not
    /// a database (overwritten, cut short) is moved aside and built anew from the CSVs.
    public init(folder: String) throws(FileSystemError) {
        path = Self.path(folder: folder)
        self.folder = folder
        var notes: [String] = []
        let connection: Connection
        do { connection = try Connection(path: path) } catch  where !error.reason.contains("locked") {
            let aside = "\(path).broken-\(Int(Date().timeIntervalSince1970))"
            guard rename(path, aside) == 0 else { throw error }
            for suffix in ["-wal", "-shm"] { unlink(path + suffix) }
            notes.append("the index could not be read (\(error.reason)); moved to \(aside) and rebuilt from the CSVs")
            connection = try Connection(path: path)
        }
        db = Mutex(connection)
        do { notes += try catchUp().skipped } catch {
            notes.append("the index lags behind the CSVs (\(error.reason)); it catches up at the next batch")
        }
        noted.withLock { $0 = notes }
    }

    /// Indexes the rows each CSV holds beyond what was indexed (all of a file that shrank: it was rewritten);
    /// returns how many rows were added and why files were skipped.
    @discardableResult
    public func catchUp() throws(FileSystemError) -> (added: Int, skipped: [String]) {
        var added = 0, skipped: [String] = []
        for name in FileWalker.names(in: folder) where name.hasSuffix(".csv") {
            let file = "\(folder)/\(name)"
            var st = stat()
            guard stat(file, &st) == 0 else { continue }
            var done = try db.withLock { db throws(FileSystemError) in try db.indexedBytes(name) }
            if Int(st.st_size) < done { done = 0 }
            guard Int(st.st_size) > done, let data = FileManager.default.contents(atPath: file) else { continue }
            guard let columns = ResultRecord.columns(ofFirstLine: data.prefix { $0 != 0x0A }) else {
                skipped.append(
                    "\(file): not a FashionSort results file (its first line names no id, file and "
                        + "sha256 columns); skipped")
                continue
            }
            let rows = CSV.parse(String(decoding: data[done...], as: UTF8.self))
                .filter { $0.count == columns.count && $0 != columns }
                .map { Dictionary(zip(columns, $0), uniquingKeysWith: { first, _ in first }) }
            try add(rows.map(Row.init), csv: name, bytes: data.count)
            added += rows.count
        }
        return (added, skipped)
    }

    /// Reads a CSV again from its start at the next catch-up (the file was replaced under the daemon).
    public func forget(csv: String) throws(FileSystemError) {
        try db.withLock { db throws(FileSystemError) in try db.setIndexedBytes(csv, 0) }
    }

    /// Claim rows indexed.
    public var rows: Int {
        (try? db.withLock { db throws(FileSystemError) in try Statement(db, "SELECT count(*) FROM claims").first([]) })
            .flatMap {
                $0.flatMap { Int($0) }
            } ?? 0
    }

    /// The first file recorded (or noted by a batch in flight) with this content, or nil after noting `file`.
    public func firstFile(sha256: String, noting file: String) -> String? {
        firstFiles([(sha256, file)])[0]
    }

    /// `firstFile` for a batch's photos in order (a later one can be a duplicate of an earlier one), in one
    /// read transaction: one lock of the database, not one per photo. The noted ones are looked at first: a
    /// batch being recorded enters the database before it leaves them, so no first file is missed between.
    public func firstFiles(_ photos: [(sha256: String, file: String)]) -> [String?] {
        var answers = pending.withLock { p in photos.map { p[$0.sha256] } }
        let missing = answers.indices.filter { answers[$0] == nil }
        let found = try? db.withLock { db throws(FileSystemError) in
            try db.firstFiles(missing.map { photos[$0].sha256 })
        }
        pending.withLock { p in
            for (k, i) in missing.enumerated() {
                if let f = found?[k] ?? p[photos[i].sha256] {
                    answers[i] = f
                } else {
                    p[photos[i].sha256] = photos[i].file
                }
            }
        }
        return answers
    }

    /// Recorded outputs of these claim ids (those without a row are left out).
    public func outputs(ids: some Sequence<String>) -> [String: String] {
        let ids = Array(ids)
        let found = (try? db.withLock { db throws(FileSystemError) in try db.outputs(ids) }) ?? []
        return Dictionary(zip(ids, found).compactMap { id, o in o.map { (id, $0) } }, uniquingKeysWith: { a, _ in a })
    }

    /// Adds rows just appended to a CSV. When the index lags behind that file (an add failed: locked, disk
    /// full), it reads on from where it stopped instead, these rows included.
    public func add(_ records: [ResultRecord], appended: ResultsLog.Appended) throws(FileSystemError) {
        let done = try db.withLock { db throws(FileSystemError) in try db.indexedBytes(appended.csv) }
        guard done == appended.start else {
            try catchUp()
            return
        }
        try add(
            records.map {
                Row(id: $0.id, output: $0.output, sha256: $0.sha256, file: $0.file, status: $0.status.rawValue)
            },
            csv: appended.csv, bytes: appended.end)
    }

    struct Row {
        /// Reads a CSV row's cells by column; a cell the row lacks is empty.
        struct Cells {
            let values: [String: String]
            subscript(_ column: ResultRecord.Column) -> String { values[column.rawValue] ?? "" }
        }

        var id: String, output: String, sha256: String, file: String, status: String

        init(id: String, output: String, sha256: String, file: String, status: String) {
            self.id = id; self.output = output; self.sha256 = sha256; self.file = file; self.status = status
        }

        init(_ values: [String: String]) {
            let row = Cells(values: values)
            self.init(
                id: row[.id], output: row[.output], sha256: row[.sha256], file: row[.file], status: row[.status])
        }
    }

    private func add(_ rows: [Row], csv: String, bytes: Int) throws(FileSystemError) {
        try db.withLock { db throws(FileSystemError) in try db.add(rows, csv: csv, bytes: bytes) }
        pending.withLock { p in for r in rows { p[r.sha256] = nil } }
    }
}

/// One SQLite connection, its schema and the statements the index runs, each prepared once (the look-ups
/// run for every photo); used under the index's lock only.
private struct Connection: ~Copyable {
    let handle: OpaquePointer
    let path: String
    private let bytes: Statement, hash: Statement, claim: Statement
    private let addClaim: Statement, addHash: Statement, addSource: Statement

    init(path: String) throws(FileSystemError) {
        var h: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &h, flags, nil) == SQLITE_OK, let h else {
            let reason = h.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(h)
            throw FileSystemError(path: path, reason: "index: \(reason)")
        }
        // Short: a lock held by another process costs a batch 0.2 s, and what was not added is caught up later.
        sqlite3_busy_timeout(h, 200)
        func fail() -> FileSystemError {
            let error = FileSystemError(path: path, reason: "index: \(String(cString: sqlite3_errmsg(h)))")
            sqlite3_close_v2(h)
            return error
        }
        let schema = """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS claims (id TEXT PRIMARY KEY, output TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS hashes (sha256 TEXT PRIMARY KEY, file TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS sources (csv TEXT PRIMARY KEY, bytes INTEGER NOT NULL) WITHOUT ROWID;
            """
        guard sqlite3_exec(h, schema, nil, nil, nil) == SQLITE_OK else { throw fail() }
        let sql = [
            "SELECT bytes FROM sources WHERE csv = ?", "SELECT file FROM hashes WHERE sha256 = ?",
            "SELECT output FROM claims WHERE id = ?", "INSERT OR REPLACE INTO claims VALUES (?, ?)",
            "INSERT OR IGNORE INTO hashes VALUES (?, ?)", "INSERT OR REPLACE INTO sources VALUES (?, ?)",
        ]
        var prepared: [Statement] = []
        for text in sql {
            do { prepared.append(try Statement(h, path, text)) } catch {
                prepared = []
                sqlite3_close_v2(h)
                throw error
            }
        }
        handle = h
        self.path = path
        (bytes, hash, claim) = (prepared[0], prepared[1], prepared[2])
        (addClaim, addHash, addSource) = (prepared[3], prepared[4], prepared[5])
    }

    /// `close_v2` waits for the prepared statements, which are finalized after this.
    deinit { sqlite3_close_v2(handle) }

    func execute(_ sql: String) throws(FileSystemError) {
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else {
            throw FileSystemError(path: path, reason: "index: \(String(cString: sqlite3_errmsg(handle)))")
        }
    }

    func indexedBytes(_ csv: String) throws(FileSystemError) -> Int {
        try bytes.first([csv]).flatMap { Int($0) } ?? 0
    }

    func setIndexedBytes(_ csv: String, _ n: Int) throws(FileSystemError) { try addSource.first([csv, String(n)]) }

    func firstFiles(_ hashes: [String]) throws(FileSystemError) -> [String?] { try lookUp(hash, hashes) }

    func outputs(_ ids: [String]) throws(FileSystemError) -> [String?] { try lookUp(claim, ids) }

    /// One look-up per key, all in one read transaction.
    private func lookUp(_ statement: Statement, _ keys: [String]) throws(FileSystemError) -> [String?] {
        try execute("BEGIN")
        defer { try? execute("COMMIT") }
        var found: [String?] = []
        for k in keys { found.append(try statement.first([k])) }
        return found
    }

    /// One transaction: the rows and the new length of their CSV, or nothing.
    func add(_ rows: [ResultsIndex.Row], csv: String, bytes: Int) throws(FileSystemError) {
        try execute("BEGIN IMMEDIATE")
        do throws(FileSystemError) {
            for r in rows {
                if !r.id.isEmpty { try addClaim.first([r.id, r.output]) }
                if !r.sha256.isEmpty && r.status != "rejected" { try addHash.first([r.sha256, r.file]) }
            }
            try addSource.first([csv, String(bytes)])
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}

/// A prepared statement, run with text arguments as often as needed.
private final class Statement {
    let handle: OpaquePointer
    let owner: OpaquePointer
    let path: String

    init(_ owner: OpaquePointer, _ path: String, _ sql: String) throws(FileSystemError) {
        var h: OpaquePointer?
        guard sqlite3_prepare_v2(owner, sql, -1, &h, nil) == SQLITE_OK, let h else {
            throw FileSystemError(path: path, reason: "index: \(String(cString: sqlite3_errmsg(owner)))")
        }
        handle = h
        self.owner = owner
        self.path = path
    }

    convenience init(_ connection: borrowing Connection, _ sql: String) throws(FileSystemError) {
        try self.init(connection.handle, connection.path, sql)
    }

    deinit { sqlite3_finalize(handle) }

    /// Runs with `arguments`; returns the first column of the first row, if any.
    @discardableResult
    func first(_ arguments: [String]) throws(FileSystemError) -> String? {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        for (i, a) in arguments.enumerated() {
            // SQLITE_TRANSIENT: SQLite copies the text before the Swift string goes away.
            sqlite3_bind_text(handle, Int32(i + 1), a, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return sqlite3_column_text(handle, 0).map { String(cString: $0) }
        case SQLITE_DONE: return nil
        default: throw FileSystemError(path: path, reason: "index: \(String(cString: sqlite3_errmsg(owner)))")
        }
    }
}
