import ArgumentParser
import FashionModel
import Foundation
import NeuralNet

@main
struct FashionSort: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fashionsort",
        abstract: "Sort product photos into the 10 Fashion-MNIST classes; train and measure the model.",
        subcommands: [ClassifyCommand.self, TrainCommand.self, EvaluateCommand.self, BenchCommand.self, SamplesCommand.self, StatusCommand.self, CalibrateCommand.self, ReportCommand.self])

    static func main() {
        Parallel.retainFreedMemory()
        main(nil)
    }
}

/// `--model PATH`, defaulting to the shipped checkpoint.
struct ModelOption: ParsableArguments {
    @Option(name: .long, help: "Checkpoint to use (default: the shipped model).")
    var model: String?

    func load() throws -> Model {
        do { return try Model(contentsOf: model ?? Model.defaultPath) } catch { throw CLIError(error.description) }
    }
}

struct DataOption: ParsableArguments {
    @Option(name: .long, help: "Folder holding the Fashion-MNIST IDX .gz files.")
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

/// "1 photo", "3 photos": a count with its noun, for the commands' summaries.
func counted(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

extension ParsableCommand {
    static func jsonString<T: Encodable>(_ value: T) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? enc.encode(value)) ?? Data(), as: UTF8.self)
    }
}
