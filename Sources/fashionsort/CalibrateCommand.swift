import ArgumentParser
import FashionModel
import Foundation
import NeuralNet

/// Fits the softmax temperature on the validation split (never the test set)
/// and shows what each review threshold would send to a person.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Measure calibration (ECE), fit a temperature on the validation split and store it in the checkpoint.")

    @Option(name: .long, help: "Checkpoint to calibrate (rewritten in place unless --output).") var model: String
    @Option(name: .shortAndLong, help: "Where to write the calibrated checkpoint.") var output: String?
    @Option(name: .long, help: "Seed of the training run's validation split.") var seed: UInt64 = 1
    @Option(name: .long, help: "Validation fraction of the training run.") var validationSplit = 0.1
    @OptionGroup var data: DataOption

    func run() throws {
        let m: Model
        do { m = try Model(contentsOf: model) } catch { throw CLIError(error.description) }
        let validation = try data.load(.train).split(validationFraction: validationSplit, seed: seed).validation
        let logits = m.logits(validation.pixels)
        let before = Calibration.expectedCalibrationError(SoftmaxCrossEntropy.probabilities(logits), labels: validation.labels)
        let t = Calibration.fitTemperature(logits, labels: validation.labels)
        let fitted = SoftmaxCrossEntropy.probabilities(logits, temperature: t)
        let after = Calibration.expectedCalibrationError(fitted, labels: validation.labels)
        print(String(format: "validation (%d images): ECE %.4f at T=1, %.4f at fitted T=%.3f", validation.count, before, after, t))
        // Keep the temperature only where it makes confidences more truthful.
        let useFitted = after < before
        let temperature: Float = useFitted ? t : 1
        let calibrated = useFitted ? fitted : SoftmaxCrossEntropy.probabilities(logits)
        print(useFitted ? "stored the fitted temperature" : "already well calibrated: kept T=1")
        print("review threshold → share of photos sent to review, accuracy of the rest, accuracy of those reviewed")
        for threshold in stride(from: Float(0.4), through: 0.95, by: 0.05) {
            var kept = 0, keptRight = 0, reviewed = 0, reviewedRight = 0
            for (i, y) in validation.labels.enumerated() {
                let p = Prediction(probabilities: calibrated.data[i * 10 ..< i * 10 + 10])
                if p.best.confidence < threshold { reviewed += 1; if p.best.label.rawValue == y { reviewedRight += 1 } }
                else { kept += 1; if p.best.label.rawValue == y { keptRight += 1 } }
            }
            print(String(format: "  %.2f  review %5.1f%%  kept accuracy %.4f  reviewed accuracy %.3f", threshold,
                         100 * Double(reviewed) / Double(validation.count), Double(keptRight) / Double(max(1, kept)),
                         Double(reviewedRight) / Double(max(1, reviewed))))
        }
        m.temperature = temperature
        m.metadata["calibration"] = String(format: #"{"temperature":%.4f,"fitted_temperature":%.4f,"ece_t1":%.4f,"ece_fitted":%.4f,"validation_images":%d}"#,
                                           temperature, t, before, after, validation.count)
        let path = output ?? model
        do { try m.save(to: path) } catch { throw CLIError(error.description) }
        print("wrote \(path) (model \(m.id))")
    }
}
