import ArgumentParser
import FashionModel
import Training
import Foundation
import ImageIntake
import NeuralNet

@main
struct FashionSort: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fashionsort",
        abstract: "Sort product photos into the 10 Fashion-MNIST classes; train and measure the model.",
        discussion: "Exit status: 0 on success, 1 on an error (named with its file), 64 on a usage error.",
        subcommands: [
            ClassifyCommand.self, TrainCommand.self, EvaluateCommand.self, CalibrateCommand.self, ReportCommand.self,
            BenchCommand.self, SamplesCommand.self, StatusCommand.self, ReindexCommand.self, ReplaySetCommand.self,
        ])

    /// A flag of our own rather than the configuration's `version:`, which would hash the model at every start.
    @Flag(help: "Show the version and the default model's id.") var version = false

    func run() throws {
        guard version else { throw CleanExit.helpRequest(self) }
        print(Version.text)
    }

    static func main() {
        Parallel.retainFreedMemory()
        main(nil)
    }
}

/// `--model PATH`, defaulting to the shipped checkpoint (`default` names it too).
struct ModelOption: ParsableArguments {
    @Option(
        help: ArgumentHelp("Checkpoint to use (default: the shipped model, also named 'default').", valueName: "file"))
    var model: String?

    var path: String { Model.path(named: model ?? Model.defaultName) }

    func load() throws -> Model {
        do { return try Model(contentsOf: path) } catch { throw CLIError(error.description) }
    }
}

struct DataOption: ParsableArguments {
    @Option(help: ArgumentHelp("Folder holding the Fashion-MNIST IDX .gz files.", valueName: "dir"))
    var data: String = FashionMNIST.defaultDirectory

    func load(_ split: FashionMNIST.Split) throws -> LabelledImages {
        do { return try FashionMNIST.load(split, directory: data) } catch { throw CLIError(error.description) }
    }
}

/// A failure reported as one line on stderr with exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Runs `body`, reporting its error as one CLI error line that names the file.
func reported<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as CLIError { throw error } catch { throw CLIError("\(error)") }
}

/// "1 photo", "3 photos": a count with its noun, for the commands' summaries.
func counted(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

extension ParsableCommand {
    static func jsonString<T: Encodable>(_ value: T) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? enc.encode(value)) ?? Data(), as: UTF8.self)
    }
}

extension Architecture: ExpressibleByArgument {
    public init?(argument: String) {
        guard let a = Architecture.named(argument) else { return nil }
        self = a
    }

    public static var allValueStrings: [String] { all.map(\.name) }
    public var defaultValueDescription: String { name }
}

extension TrainingOptions.Schedule: ExpressibleByArgument {}
extension OutlierTraining.Method: ExpressibleByArgument {}
extension Conversion: ExpressibleByArgument {}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
    func rightPad(_ n: Int) -> String { padding(toLength: max(n, count), withPad: " ", startingAt: 0) }
}
