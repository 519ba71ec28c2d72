import Testing
@testable import NeuralNet

@Suite(.enabled(if: BFloat16.available, "the CPU has no AVX-512 BF16"))
struct BFloat16Tests {
    /// Round to nearest even, as the kernels do, back to Float.
    static func rounded(_ x: Float) -> Float {
        let u = x.bitPattern
        return Float(bitPattern: (u &+ 0x7FFF &+ ((u >> 16) & 1)) & 0xFFFF_0000)
    }

    /// The product of the rounded operands, summed in Double: the kernel sums in
    /// float32, so only the sums' rounding may differ. Odd k and edge tiles
    /// (rows not a multiple of 8, columns not of 32) included.
    @Test(arguments: [(1, 1, 1), (13, 70, 37), (64, 196, 64), (8, 32, 2), (9, 33, 300)])
    func matchesRoundedOperands(m: Int, n: Int, k: Int) {
        var rng = RNG(seed: UInt64(m * 1000 + n * 10 + k))
        let a = (0..<m * k).map { _ in rng.normal() }, b = (0..<k * n).map { _ in rng.normal() }
        let packed = a.withUnsafeBufferPointer { BFloat16.PackedA(m: m, k: k, rows: $0.baseAddress!, lda: k) }
        let ldc = n + 3
        var c = [Float](repeating: .nan, count: m * ldc)
        var scratch = [UInt16](repeating: 0, count: BFloat16.scratchCount(k: k, n: n))
        b.withUnsafeBufferPointer { bp in
            BFloat16.multiply(packed, n: n, bp.baseAddress!, ldb: n, &c, ldc: ldc, scratch: &scratch)
        }
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0, size = 0.0
                for p in 0..<k {
                    let t = Double(Self.rounded(a[i * k + p])) * Double(Self.rounded(b[p * n + j]))
                    s += t; size += abs(t)
                }
                #expect(abs(Double(c[i * ldc + j]) - s) <= 1e-6 * size + 1e-7, "(\(i), \(j))")
            }
            // Columns past n in each row are not touched.
            for j in n..<ldc { #expect(c[i * ldc + j].isNaN) }
        }
    }

    /// A 64→64 convolution on 14×14 maps (the default model's third) through both
    /// precisions against im2col: float32 to rounding; bfloat16 (each operand
    /// rounded by up to 2⁻⁹, in the Winograd domain, where values are larger)
    /// within 3% of the outputs' spread at worst and 0.5% on average (measured:
    /// 1.6% and 0.29%). A wrong product would miss by about the spread itself.
    @Test func winogradPrecisions() {
        var rng = RNG(seed: 5)
        let c = 64, oc = 64, n = 4, h = 14, w = 14
        let conv = Conv2D(name: "c", inChannels: c, outChannels: oc, padding: 1, rng: &rng)
        let x = Tensor(shape: [n, c, h, w], data: (0..<n * c * h * w).map { _ in max(0, rng.normal()) })
        let plain = conv.forward(x, training: true).data
        let wino = conv.weight.value.data.withUnsafeBufferPointer {
            Winograd(weights: $0.baseAddress!, outChannels: oc, inChannels: c)
        }
        var scratch = [Float](repeating: 0, count: wino.scratchSize(count: n, tiles: 49))
        func run(_ bfloat16: Bool) -> [Float] {
            var out = [Float](repeating: 0, count: oc * n * h * w)
            x.data.withUnsafeBufferPointer {
                wino.convolve(
                    $0.baseAddress!, count: n, h: h, w: w, padding: 1, into: &out, ld: n * h * w, scratch: &scratch,
                    bfloat16: bfloat16)
            }
            // [OC, n·h·w] → [n, OC, h, w], the layout of the training pass.
            var y = [Float](repeating: 0, count: out.count)
            for o in 0..<oc {
                for i in 0..<n {
                    for r in 0..<h * w { y[(i * oc + o) * h * w + r] = out[o * n * h * w + i * h * w + r] }
                }
            }
            return y
        }
        let spread = (plain.map { $0 * $0 }.reduce(0, +) / Float(plain.count)).squareRoot()
        let full = zip(run(false), plain).map { abs($0 - $1) }.max()!
        let half = zip(run(true), plain).map { abs($0 - $1) }
        #expect(full < 1e-4 * spread)
        #expect(half.max()! < 0.03 * spread, "largest \(half.max()!) of spread \(spread)")
        #expect(half.reduce(0, +) / Float(half.count) < 0.005 * spread)
    }
}

extension BFloat16Tests {
    /// A batched dense layer (the default model's 3136 → 256, and an odd width
    /// and batch) against the float32 product: its inputs are read transposed and
    /// the bfloat16 weights are packed again for new weights.
    @Test(arguments: [(3136, 256, 40), (37, 19, 5)])
    func denseMatchesFloat(inputs: Int, outputs: Int, batch: Int) {
        var rng = RNG(seed: UInt64(inputs + outputs))
        let dense = Dense(name: "fc", inFeatures: inputs, outFeatures: outputs, rng: &rng)
        let x = Tensor(shape: [batch, inputs], data: (0..<batch * inputs).map { _ in max(0, rng.normal()) })
        func exact() -> [Double] {
            let w = dense.weight.value.data
            return (0..<batch * outputs).map { i in
                let (row, o) = (i / outputs, i % outputs)
                return (0..<inputs).reduce(0.0) { $0 + Double(x.data[row * inputs + $1]) * Double(w[o * inputs + $1]) }
            }
        }
        for _ in 0..<2 {
            let y = dense.forward(x, training: false).data, reference = exact()
            let spread = (reference.map { $0 * $0 }.reduce(0, +) / Double(reference.count)).squareRoot()
            let worst = zip(y, reference).map { abs(Double($0) - $1) }.max()!
            #expect(worst < 0.02 * spread, "largest \(worst) of spread \(spread)")
            dense.weight.value = Tensor(
                shape: dense.weight.value.shape, data: dense.weight.value.data.map { -$0 * 0.5 })
        }
    }
}
