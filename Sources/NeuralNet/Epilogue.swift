/// What happens to a convolution's or dense layer's raw sums on their way
/// out: a per-channel affine map (the layer's bias, with a following batch
/// norm folded in at inference), then optionally ReLU and a 2×2 max pool.
/// Fused, each output is written once instead of once per layer; for the first
/// convolution at batch 256 that saves three passes over 22 MB.
public struct Epilogue: Sendable {
    /// Per output channel: y = sum·scale + shift (scale nil means 1).
    var scale: [Float]?
    var shift: [Float]
    var relu = false
    var pool = false

    init(bias: Parameter) { shift = bias.value.data }

    /// Only the 2×2 max pool, for a pooling layer that has no layer to fuse into.
    init(poolingChannels channels: Int) {
        shift = [Float](repeating: 0, count: channels)
        pool = true
    }

    /// Folds an inference-mode batch norm after the layer into scale and shift:
    /// γ·(x + b − μ)/√(σ² + ε) + β.
    mutating func fold(_ bn: BatchNorm) {
        let g = bn.weight.value.data, beta = bn.bias.value.data
        let mean = bn.runningMean.value.data, variance = bn.runningVar.value.data
        var scale = self.scale ?? [Float](repeating: 1, count: shift.count)
        for c in 0..<shift.count {
            let s = g[c] / (variance[c] + bn.eps).squareRoot()
            scale[c] *= s
            shift[c] = (shift[c] - mean[c]) * s + beta[c]
        }
        self.scale = scale
    }

    /// One channel plane [oh, ow] of sums → [oh, ow], or [oh/2, ow/2] when pooling.
    @inline(__always)
    func plane(_ c: Int, _ src: UnsafePointer<Float>, _ oh: Int, _ ow: Int, into dst: UnsafeMutablePointer<Float>) {
        let s = scale?[c] ?? 1, t = shift[c], floor: Float = relu ? 0 : -.infinity
        if !pool {
            // Separate loops so each one vectorises.
            if relu {
                for j in 0..<oh * ow { dst[j] = max(src[j] * s + t, 0) }
            } else {
                for j in 0..<oh * ow { dst[j] = src[j] * s + t }
            }
            return
        }
        let ph = oh / 2, pw = ow / 2
        for y in 0..<ph {
            let top = src + 2 * y * ow, bottom = top + ow, out = dst + y * pw
            for x in 0..<pw {
                // The affine map may flip signs (a negative γ), so it goes before the max.
                let a = max(top[2 * x] * s + t, top[2 * x + 1] * s + t)
                let b = max(bottom[2 * x] * s + t, bottom[2 * x + 1] * s + t)
                out[x] = max(max(a, b), floor)
            }
        }
    }

    /// One row of a dense layer's sums, in place.
    @inline(__always)
    func row(_ y: UnsafeMutablePointer<Float>, _ count: Int) {
        if let scale {
            for o in 0..<count { y[o] = y[o] * scale[o] + shift[o] }
        } else {
            for o in 0..<count { y[o] += shift[o] }
        }
        if relu { for o in 0..<count { y[o] = max(y[o], 0) } }
    }
}

/// Layers that can hand their outputs through an epilogue at inference.
public protocol EpilogueFusable: Layer {
    var bias: Parameter { get }
    /// Whether the epilogue may pool (the output is a feature map).
    var canPool: Bool { get }
    /// Inference with the current weights packed, its sums going through `epilogue`.
    func frozen(_ epilogue: Epilogue) -> InferenceStep
}

extension EpilogueFusable {
    public func frozen() -> InferenceStep { frozen(Epilogue(bias: bias)) }
}
