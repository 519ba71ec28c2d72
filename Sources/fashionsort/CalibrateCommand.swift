import ArgumentParser
import FashionModel
import Foundation
import NeuralNet

/// Fits the softmax temperature on the validation split (never the test set)
/// and shows what each review threshold would send to a person.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Measure calibration (ECE), fit a temperature on the validation split and store it in a checkpoint.")

    @OptionGroup var model: ModelOption
    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the calibrated checkpoint.", valueName: "file"))
    var output = "calibrated.safetensors"
    @Flag(help: "Rewrite the --model checkpoint itself instead of writing --output.") var inPlace = false
    @Option(help: "Seed of the training run's validation split.") var seed: UInt64 = 1
    @Option(help: "Validation fraction of the training run.") var validationSplit = 0.1
    @OptionGroup var data: DataOption

    func validate() throws {
        if inPlace && model.model == nil {
            throw ValidationError("--in-place needs --model: the shipped model stays as shipped")
        }
        guard validationSplit > 0 && validationSplit < 1 else {
            throw ValidationError("--validation-split must be in (0, 1)")
        }
    }

    func run() throws {
        let m = try model.load()
        let validation = try data.load(.train).split(validationFraction: validationSplit, seed: seed).validation
        let logits = m.logits(validation.pixels)
        let before = Calibration.expectedCalibrationError(
            SoftmaxCrossEntropy.probabilities(logits), labels: validation.labels)
        let t = Calibration.fitTemperature(logits, labels: validation.labels)
        let fitted = SoftmaxCrossEntropy.probabilities(logits, temperature: t)
        let after = Calibration.expectedCalibrationError(fitted, labels: validation.labels)
        print(
            String(
                format: "validation (%d images): ECE %.4f at T=1, %.4f at fitted T=%.3f", validation.count, before,
                after, t))
        // Keep the temperature only where it makes confidences more truthful.
        let useFitted = after < before
        let calibrated = useFitted ? fitted : SoftmaxCrossEntropy.probabilities(logits)
        print(useFitted ? "stored the fitted temperature" : "already well calibrated: kept T=1")
        print("review threshold → share of photos sent to review, accuracy of the rest, accuracy of those reviewed")
        for threshold in stride(from: Float(0.4), through: 0.95, by: 0.05) {
            var kept = 0, keptRight = 0, reviewed = 0, reviewedRight = 0
            for (i, y) in validation.labels.enumerated() {
                let p = Prediction(probabilities: calibrated.data[i * 10..<i * 10 + 10])
                let right = p.best.label.rawValue == y ? 1 : 0
                if p.best.confidence < threshold {
                    reviewed += 1; reviewedRight += right
                } else {
                    kept += 1; keptRight += right
                }
            }
            print(
                String(
                    format: "  %.2f  review %5.1f%%  kept accuracy %.4f  reviewed accuracy %.3f", threshold,
                    100 * Double(reviewed) / Double(validation.count), Double(keptRight) / Double(max(1, kept)),
                    Double(reviewedRight) / Double(max(1, reviewed))))
        }
        m.temperature = useFitted ? t : 1
        m.calibration = CalibrationRecord(
            temperature: m.temperature, fittedTemperature: t, eceAtOne: Double(before), eceFitted: Double(after),
            validationImages: validation.count)
        let path = inPlace ? model.path : output
        do { try m.save(to: path) } catch { throw CLIError(error.description) }
        print("wrote \(path) (model \(m.id))")
    }
}
