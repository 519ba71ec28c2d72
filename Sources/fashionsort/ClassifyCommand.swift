import ArgumentParser
import FashionModel
import FileSystem
import Foundation
import ImageIntake
import NeuralNet
import Results

struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify PNG and JPEG photos (files or folders, recursively) and print a CSV row per file.",
        discussion:
            "Exit status: 0 when every file was classified, 3 when some were rejected, 1 on a usage or model error.")

    @Argument(help: ArgumentHelp("Files or folders.", valueName: "path"), completion: .file()) var paths: [String]
    @OptionGroup var model: ModelOption
    @Option(name: .shortAndLong, help: "Write the CSV here instead of standard output.") var output: String?
    @Option(name: .long, help: "Ranked classes per row (2…10).") var top = 2
    @Flag(name: .long, help: "JSON lines instead of CSV.") var json = false
    @Option(name: .long, help: "Files per forward pass.") var batch = 256

    static let someRejected: Int32 = 3

    func validate() throws {
        guard (2...10).contains(top) else { throw ValidationError("--top must be between 2 and 10") }
        guard batch > 0 else { throw ValidationError("--batch must be positive") }
    }

    func run() throws {
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw CLIError("\(path): no such file or folder")
        }
        let m = try model.load()
        let sink = try OutputSink(path: output)
        let columns = ResultRecord.classifyColumns + ResultRecord.extraColumns(top: top)
        if !json { sink.write(CSV.line(columns)) }
        var rejected = 0, total = 0
        var pending: [String] = []
        func flush() {
            let photos = PhotoLoader.prepare(pending)
            pending.removeAll(keepingCapacity: true)
            for (photo, result) in zip(photos, m.classify(photos)) {
                total += 1
                var record = ResultRecord(
                    time: "", file: photo.file, sha256: photo.sha256, status: .classified,
                    prediction: result.prediction, model: m.id, milliseconds: result.milliseconds)
                switch photo.pixels {
                case .success: break
                case .failure(let error):
                    rejected += 1
                    record.status = .rejected
                    record.error = error.reason
                    FileHandle.standardError.write(Data("fashionsort: \(error.description)\n".utf8))
                }
                let values = record.values(ResultRecord.classifyColumns, top: top)
                sink.write(json ? Self.jsonLine(columns, values) : CSV.line(values))
            }
        }
        for path in paths {
            do {
                try FileWalker.forEachFile(under: path) { file in
                    pending.append(file)
                    if pending.count == batch { flush() }
                }
            } catch let error as FileSystemError { throw CLIError(error.description) }
        }
        flush()
        try sink.close()
        if rejected > 0 {
            FileHandle.standardError.write(Data("fashionsort: \(rejected) of \(total) files rejected\n".utf8))
            throw ExitCode(Self.someRejected)
        }
    }

    static func jsonLine(_ columns: [String], _ values: [String]) -> String {
        "{" + zip(columns, values).map { "\(JSON.quote($0)):\(JSON.quote($1))" }.joined(separator: ",") + "}\n"
    }
}
