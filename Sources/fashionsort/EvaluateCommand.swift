import ArgumentParser
import FashionModel
import Foundation

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Test accuracy, per-class precision/recall/F1, confusion matrix and most confused pairs.")

    @OptionGroup var model: ModelOption
    @OptionGroup var data: DataOption
    @Flag(name: .long, help: "Print JSON instead of tables.") var json = false

    func run() throws {
        let m = try model.load()
        let test = try data.load(.test)
        let e = Evaluation(model: m, data: test)
        if json { print(Self.jsonString(e)); return }
        print("model \(m.id) (\(m.architecture.name)), \(e.count) test images")
        print(String(format: "accuracy %.4f   loss %.4f   macro F1 %.4f\n", e.accuracy, e.loss, e.macroF1))
        print("class".padding(toLength: 13, withPad: " ", startingAt: 0) + " precision    recall  f1-score   support")
        for c in e.classes {
            print(c.name.padding(toLength: 13, withPad: " ", startingAt: 0)
                  + String(format: " %9.4f %9.4f %9.4f %9d", c.precision, c.recall, c.f1, c.support))
        }
        print("\nconfusion matrix (rows: true class, columns: predicted)")
        print("             " + FashionClass.allCases.map { String($0.name.prefix(6)).leftPad(7) }.joined())
        for (i, row) in e.confusion.enumerated() {
            print(FashionClass(rawValue: i)!.name.padding(toLength: 13, withPad: " ", startingAt: 0)
                  + row.map { String($0).leftPad(7) }.joined())
        }
        print("\nmost confused pairs")
        for p in e.mostConfused { print("  \(p.actual) ↔ \(p.predicted): \(p.count)") }
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
