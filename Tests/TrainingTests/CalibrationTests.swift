import NeuralNet
import Testing
@testable import FashionModel
@testable import Training

@Suite struct CalibrationTests {
    /// Logits of a calibrated model scaled ×3 are over-confident; the fitted
    /// temperature undoes the scaling and lowers the calibration error.
    @Test func temperatureScalingFixesOverconfidence() {
        var rng = RNG(seed: 21)
        let n = 4000
        var logits: [Float] = [], labels: [Int] = []
        for _ in 0..<n {
            // Calibrated by construction: the label is drawn from softmax(z).
            let z = (0..<10).map { _ in rng.normal() * 1.5 }
            let p = SoftmaxCrossEntropy.probabilities(Tensor(shape: [1, 10], data: z)).data
            var u = rng.uniform(), y = 9
            for j in 0..<10 { u -= p[j]; if u <= 0 { y = j; break } }
            labels.append(y)
            logits += z.map { $0 * 3 }
        }
        let over = Tensor(shape: [n, 10], data: logits)
        let before = Calibration.expectedCalibrationError(SoftmaxCrossEntropy.probabilities(over), labels: labels)
        let t = Calibration.fitTemperature(over, labels: labels)
        let after = Calibration.expectedCalibrationError(
            SoftmaxCrossEntropy.probabilities(over, temperature: t), labels: labels)
        #expect(abs(t - 3) < 0.4, "fitted temperature \(t)")
        #expect(before > 0.1 && after < before / 3, "ECE \(before) → \(after)")
    }
}
