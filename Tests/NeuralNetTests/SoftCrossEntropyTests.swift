import Testing
@testable import NeuralNet

@Suite struct SoftCrossEntropyTests {
    /// Random logits [5, 4] and, per row, a random distribution as target; rows 1 and 3 are not looked at.
    let logits: Tensor = {
        var rng = RNG(seed: 7)
        return Tensor(shape: [5, 4], data: (0..<20).map { _ in rng.normal() * 2 })
    }()
    let targets: Tensor = {
        var rng = RNG(seed: 8)
        let raw = (0..<20).map { _ in rng.uniform() + 0.05 }
        let sums = (0..<5).map { raw[$0 * 4..<$0 * 4 + 4].reduce(0, +) }
        return Tensor(shape: [5, 4], data: raw.enumerated().map { i, v in v / sums[i / 4] })
    }()
    let rows = [true, false, true, false, true]

    @Test(arguments: [Float(1), 2, 4])
    func matchesFiniteDifferences(temperature: Float) {
        func loss(_ z: Tensor) -> SoftCrossEntropy.Result {
            SoftCrossEntropy.evaluate(z, targets: targets, rows: rows, temperature: temperature, lambda: 0.7)
        }
        checkLossGradient(loss, at: logits, "T \(temperature), ")
        let g = loss(logits).gradient
        #expect(g.data[4..<8].allSatisfy { $0 == 0 } && g.data[12..<16].allSatisfy { $0 == 0 })
    }

    /// The loss is smallest, with no gradient, when the softened softmax already is the target.
    @Test func targetEqualToTheSoftmaxHasNoGradient() {
        let p = SoftmaxCrossEntropy.probabilities(logits, temperature: 2)
        let r = SoftCrossEntropy.evaluate(logits, targets: p, rows: rows, temperature: 2, lambda: 1)
        #expect(r.gradient.data.allSatisfy { abs($0) < 1e-6 })
    }

    /// A ten-output teacher for an eleven-output student: the mean over teachers, 0 where a teacher has no output.
    @Test func meanSoftmaxPadsMissingOutputs() {
        let ten = Tensor(zeros: [2, 10]),
            eleven = Tensor(shape: [2, 11], data: (0..<22).map { $0 % 11 == 10 ? 50 : 0 })
        let mean = SoftCrossEntropy.meanSoftmax([ten, eleven], outputs: 11, temperature: 2)
        #expect(mean.shape == [2, 11])
        #expect(abs(mean.data[10] - 0.5) < 1e-6 && abs(mean.data[0] - 0.05) < 1e-6)
        for i in 0..<2 { #expect(abs(mean.data[i * 11..<(i + 1) * 11].reduce(0, +) - 1) < 1e-5) }
    }
}
