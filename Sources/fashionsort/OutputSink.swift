import Foundation

/// Standard output, or a file written as `NAME.tmp-PID` and renamed into
/// place when complete, so a reader never sees half a CSV.
struct OutputSink {
    private let path: String?
    private let handle: FileHandle

    init(path: String?) throws {
        self.path = path
        guard let path else { handle = .standardOutput; return }
        let tmp = "\(path).tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: nil), let h = FileHandle(forWritingAtPath: tmp)
        else {
            throw CLIError("\(path): cannot create: \(String(cString: strerror(errno)))")
        }
        handle = h
    }

    func write(_ s: String) { handle.write(Data(s.utf8)) }

    func close() throws {
        guard let path else { return }
        let tmp = "\(path).tmp-\(getpid())"
        do {
            try handle.synchronize()
            try handle.close()
        } catch { throw CLIError("\(path): cannot write: \(error.localizedDescription)") }
        guard rename(tmp, path) == 0 else {
            throw CLIError("\(path): cannot write: \(String(cString: strerror(errno)))")
        }
    }
}
