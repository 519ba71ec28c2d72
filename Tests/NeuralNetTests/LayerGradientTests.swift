import Testing
@testable import NeuralNet

@Suite struct LayerGradientTests {
    @Test func convValid() {
        var rng = RNG(seed: 7)
        checkGradients(Conv2D(name: "c", inChannels: 2, outChannels: 3, padding: 0, rng: &rng), input: [2, 2, 6, 5])
    }

    @Test func convSame() {
        var rng = RNG(seed: 8)
        checkGradients(Conv2D(name: "c", inChannels: 3, outChannels: 17, padding: 1, rng: &rng), input: [3, 3, 5, 5])
    }

    @Test func dense() {
        var rng = RNG(seed: 9)
        checkGradients(Dense(name: "d", inFeatures: 13, outFeatures: 7, rng: &rng), input: [5, 13])
    }

    @Test func maxPool() {
        checkGradients(MaxPool2D(), input: [2, 3, 6, 7])
    }

    @Test func relu() {
        checkGradients(ReLU(), input: [4, 30])
    }

    @Test func batchNorm2d() {
        let bn = BatchNorm(name: "bn", channels: 3)
        for i in 0..<3 { bn.weight.value.data[i] = 0.5 + Float(i); bn.bias.value.data[i] = Float(i) - 1 }
        checkGradients(bn, input: [4, 3, 3, 3])
    }

    @Test func batchNorm1d() {
        checkGradients(BatchNorm(name: "bn", channels: 6), input: [8, 6])
    }

    @Test func flatten() {
        checkGradients(Flatten(), input: [2, 3, 2, 2])
    }

    @Test func softmaxCrossEntropy() {
        var rng = RNG(seed: 3)
        let logits = Tensor(shape: [4, 10], data: (0..<40).map { _ in rng.normal() })
        let labels = [1, 5, 9, 0]
        let g = SoftmaxCrossEntropy.evaluate(logits, labels: labels).gradient
        for i in stride(from: 0, to: 40, by: 3) {
            var p = logits, m = logits
            p.data[i] += 1e-2; m.data[i] -= 1e-2
            let num =
                (SoftmaxCrossEntropy.evaluate(p, labels: labels).loss
                    - SoftmaxCrossEntropy.evaluate(m, labels: labels).loss) / 2e-2
            #expect(abs(num - g.data[i]) < 1e-3)
        }
    }

    @Test func dropoutIsIdentityAtInference() {
        var rng = RNG(seed: 1)
        let d = Dropout(rate: 0.5, rng: &rng)
        let x = Tensor(shape: [3, 20], data: (0..<60).map(Float.init))
        #expect(d.forward(x, training: false).data == x.data)
        let y = d.forward(x, training: true)
        let dropped = y.data.filter { $0 == 0 }.count
        #expect(dropped > 10 && dropped < 50)
        // Survivors are scaled by 1/(1-p); backward applies the same mask.
        for i in 1..<60 { #expect(y.data[i] == 0 || y.data[i] == 2 * x.data[i]) }
        let dx = d.backward(Tensor(shape: [3, 20], data: .init(repeating: 1, count: 60)))
        for i in 1..<60 { #expect((dx.data[i] == 0) == (y.data[i] == 0)) }
    }
}

@Suite struct BatchNormStatisticsTests {
    /// After many training passes over one batch, the running statistics equal
    /// that batch's (variance up to the unbiased factor), so inference agrees.
    @Test func runningStatisticsConvergeToBatchStatistics() {
        var rng = RNG(seed: 2)
        let bn = BatchNorm(name: "bn", channels: 3)
        let x = Tensor(shape: [64, 3, 4, 4], data: (0..<64 * 48).map { _ in rng.normal() * 3 + 5 })
        var train = x
        for _ in 0..<200 { train = bn.forward(x, training: true) }
        let infer = bn.forward(x, training: false)
        let maxDiff = zip(train.data, infer.data).map { abs($0 - $1) }.max()!
        #expect(maxDiff < 0.01)
    }
}

@Suite struct DenseSmallBatchTests {
    /// The matrix-vector path for tiny batches gives the GEMM path's answer.
    @Test func smallBatchMatchesLargeBatch() {
        var rng = RNG(seed: 11)
        let d = Dense(name: "d", inFeatures: 37, outFeatures: 19, rng: &rng)
        let x = Tensor(shape: [8, 37], data: (0..<8 * 37).map { _ in rng.normal() })
        let all = d.forward(x, training: false)
        for i in 0..<2 {
            let one = d.forward(x.items(i..<i + 1), training: false)
            // The batch of 8 may take bfloat16 products (BFloat16Tests bounds them).
            for j in 0..<19 { #expect(abs(one.data[j] - all.data[i * 19 + j]) < (BFloat16.enabled ? 0.03 : 1e-4)) }
        }
    }
}

@Suite struct ConvPackedWeightsTests {
    /// A frozen layer keeps the weights it was packed from; new weights reach the next one.
    @Test func frozenWeightsStayAsPacked() {
        var rng = RNG(seed: 12)
        let conv = Conv2D(name: "c", inChannels: 2, outChannels: 7, padding: 1, rng: &rng)
        let x = Tensor(shape: [3, 2, 5, 5], data: (0..<150).map { _ in rng.normal() })
        let frozen = conv.frozen()
        let before = frozen(x)
        #expect(conv.forward(x, training: true).data == before.data)
        conv.weight.value = Tensor(shape: conv.weight.value.shape, data: conv.weight.value.data.map { $0 * 2 })
        #expect(frozen(x).data == before.data)
        let after = conv.frozen()(x)
        for i in 0..<after.count { #expect(abs(after.data[i] - 2 * before.data[i]) < 1e-4) }
    }
}

@Suite struct ConvNarrowMapTests {
    /// A 3×3 output map at batch 1 is computed transposed (pixels as rows):
    /// it must give the training path's values, and follow new weights.
    @Test func transposedProductMatchesTraining() {
        var rng = RNG(seed: 14)
        let conv = Conv2D(name: "c", inChannels: 64, outChannels: 40, padding: 0, rng: &rng)
        conv.bias.value = Tensor(shape: [40], data: (0..<40).map { _ in rng.normal() })
        let x = Tensor(shape: [1, 64, 5, 5], data: (0..<1600).map { _ in rng.normal() })
        let fast = conv.forward(x, training: false), plain = conv.forward(x, training: true)
        #expect(fast.shape == [1, 40, 3, 3])
        for i in 0..<plain.count { #expect(abs(fast.data[i] - plain.data[i]) < 1e-3) }
        conv.weight.value = Tensor(shape: conv.weight.value.shape, data: conv.weight.value.data.map { -$0 })
        let flipped = conv.forward(x, training: false)
        for i in 0..<plain.count {
            #expect(abs(flipped.data[i] - (2 * conv.bias.value.data[i / 9] - plain.data[i])) < 1e-3)
        }
    }
}

@Suite struct MaxPoolInferenceTests {
    /// The argmax-free inference path gives the training path's values.
    @Test func inferenceMatchesTraining() {
        var rng = RNG(seed: 13)
        let pool = MaxPool2D()
        let x = Tensor(shape: [2, 3, 7, 6], data: (0..<252).map { _ in rng.normal() })
        #expect(pool.forward(x, training: false).data == pool.forward(x, training: true).data)
        #expect(pool.forward(x, training: false).shape == [2, 3, 3, 3])
    }
}
