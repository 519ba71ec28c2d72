import Testing
@testable import NeuralNet

@Suite struct OutlierLossTests {
    let logits: Tensor = {
        var rng = RNG(seed: 5)
        return Tensor(shape: [6, 10], data: (0..<60).map { _ in rng.normal() * 2 })
    }()
    let outlier = [false, true, false, true, true, false]

    func check(_ loss: (Tensor) -> OutlierLoss.Result, sourceLocation: SourceLocation = #_sourceLocation) {
        checkLossGradient(loss, at: logits, sourceLocation: sourceLocation)
    }

    @Test func outlierExposureMatchesFiniteDifferences() {
        check { OutlierLoss.uniformCrossEntropy($0, outlier: outlier, lambda: 0.5) }
        // A uniform softmax already is the target: no loss beyond log K − mean, no gradient.
        let flat = OutlierLoss.uniformCrossEntropy(Tensor(zeros: [2, 10]), outlier: [true, true], lambda: 1)
        #expect(abs(flat.loss - _log(10)) < 1e-5 && flat.gradient.data.allSatisfy { abs($0) < 1e-7 })
    }

    @Test func energyMarginsMatchFiniteDifferences() {
        let e = OutlierLoss.energy(logits)
        let (lo, hi) = (e.min()!, e.max()!)
        // Margins inside the energies' range, so some hinges are active on both sides.
        check {
            OutlierLoss.energyMargins(
                $0, outlier: outlier, inMargin: lo + (hi - lo) / 3, outMargin: hi - (hi - lo) / 3, lambda: 0.1)
        }
    }

    @Test func lastOutputCrossEntropyMatchesFiniteDifferences() {
        check { OutlierLoss.lastOutputCrossEntropy($0, outlier: outlier, lambda: 0.5) }
        // In-class rows add nothing; an outlier row at equal logits costs log K.
        let flat = OutlierLoss.lastOutputCrossEntropy(Tensor(zeros: [2, 11]), outlier: [false, true], lambda: 1)
        #expect(abs(flat.loss - _log(11)) < 1e-5 && flat.gradient.data[0..<11].allSatisfy { $0 == 0 })
        #expect(abs(flat.gradient.data[21] + 10 / 11) < 1e-6)
    }

    @Test func energyIsMinusLogSumExp() {
        let z = Tensor(shape: [1, 3], data: [1, 2, 3])
        let expected = -(3 + _log(Math.exp(-2) + Math.exp(-1) + 1))
        #expect(abs(OutlierLoss.energy(z)[0] - expected) < 1e-6)
    }
}
