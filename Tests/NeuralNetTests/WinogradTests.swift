import Testing
@testable import NeuralNet

@Suite struct WinogradTests {
    /// Batched inference (Winograd F(2×2,3×3)) against the training forward pass
    /// (im2col + GEMM) on even and odd maps, both paddings, one and several groups.
    @Test(arguments: [(14, 14, 1, 5), (11, 11, 0, 4), (5, 7, 1, 9), (28, 28, 1, 3)])
    func batchedInferenceMatchesIm2col(h: Int, w: Int, padding: Int, n: Int) {
        var rng = RNG(seed: 21)
        let c = 16, oc = 24
        let conv = Conv2D(name: "c", inChannels: c, outChannels: oc, padding: padding, rng: &rng)
        conv.bias.value = Tensor(shape: [oc], data: (0..<oc).map { _ in rng.normal() })
        let x = Tensor(shape: [n, c, h, w], data: (0..<n * c * h * w).map { _ in rng.normal() })
        let fast = conv.forward(x, training: false), plain = conv.forward(x, training: true)
        #expect(fast.shape == plain.shape)
        // bfloat16 products, where used, keep 8 bits of mantissa (BFloat16Tests bounds them).
        let tolerance: Float = BFloat16.enabled ? 0.05 : 1e-4
        let worst = zip(fast.data, plain.data).map { abs($0 - $1) }.max()!
        #expect(worst < tolerance, "largest difference \(worst)")
        // New weights are transformed again by the next inference.
        conv.weight.value = Tensor(shape: conv.weight.value.shape, data: conv.weight.value.data.map { -$0 })
        let flipped = conv.forward(x, training: false)
        let r = plain.count / (n * oc)
        for i in stride(from: 0, to: plain.count, by: 7) {
            #expect(abs(flipped.data[i] - (2 * conv.bias.value.data[i / r % oc] - plain.data[i])) < tolerance)
        }
    }

    /// The transform on its own: one channel, one filter, against the definition.
    @Test func singleTileMatchesDefinition() {
        let g: [Float] = [1, 2, 3, -1, 0, 4, 2, -2, 1]
        let d: [Float] = (0..<16).map { Float($0 * $0 % 7) - 3 }
        let wino = Winograd(weights: g, outChannels: 1, inChannels: 1)
        var out = [Float](repeating: 0, count: 4)
        var scratch = [Float](repeating: 0, count: wino.scratchSize(count: 1, tiles: 1))
        wino.convolve(d, count: 1, h: 4, w: 4, padding: 0, into: &out, ld: 4, scratch: &scratch)
        for y in 0..<2 {
            for x in 0..<2 {
                var s: Float = 0
                for ky in 0..<3 { for kx in 0..<3 { s += d[(y + ky) * 4 + x + kx] * g[ky * 3 + kx] } }
                #expect(abs(out[y * 2 + x] - s) < 1e-4)
            }
        }
    }
}
