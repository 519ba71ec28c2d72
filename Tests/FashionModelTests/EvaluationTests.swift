import NeuralNet
import Testing
@testable import FashionModel

@Suite struct EvaluationTests {
    /// Hand-checkable: 4 samples, classes 0 and 1 confused once.
    @Test func reportMatchesHandComputation() {
        func oneHot(_ c: Int) -> [Float] { (0..<10).map { $0 == c ? 0.9 : 0.1 / 9 } }
        let p = Tensor(shape: [4, 10], data: oneHot(0) + oneHot(0) + oneHot(1) + oneHot(1))
        let e = Evaluation(probabilities: p, labels: [0, 1, 1, 1])
        #expect(e.accuracy == 0.75)
        #expect(e.confusion[1][0] == 1 && e.confusion[1][1] == 2 && e.confusion[0][0] == 1)
        #expect(e.classes[0].precision == 0.5 && e.classes[0].recall == 1)
        #expect(e.classes[1].precision == 1 && abs(e.classes[1].recall - 2.0 / 3) < 1e-12)
        #expect(e.classes[1].support == 3)
        #expect(e.mostConfused.first?.count == 1 && e.mostConfused.first?.actual == "Trouser")
    }

    @Test func flipTwiceIsIdentityAndShiftMovesPixels() {
        var img = (0..<784).map { Float($0) }
        var rng = RNG(seed: 1)
        let shift = Augmentation(shift: 3)
        var changed = false
        for _ in 0..<5 {
            var copy = img
            copy.withUnsafeMutableBufferPointer { shift.apply($0.baseAddress!, rng: &rng) }
            changed = changed || copy != img
        }
        #expect(changed)
        img.withUnsafeMutableBufferPointer { p in
            var r = RNG(seed: 9)
            let flip = Augmentation(flip: true)
            var flips = 0
            let original = Array(p)
            for _ in 0..<20 {
                let before = Array(p)
                flip.apply(p.baseAddress!, rng: &r)
                if Array(p) != before { flips += 1; #expect(p[0] == before[27]) }
            }
            #expect(flips > 3 && flips < 17)
            _ = original
        }
    }
}

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
        let after = Calibration.expectedCalibrationError(SoftmaxCrossEntropy.probabilities(over, temperature: t), labels: labels)
        #expect(abs(t - 3) < 0.4, "fitted temperature \(t)")
        #expect(before > 0.1 && after < before / 3, "ECE \(before) → \(after)")
    }
}
