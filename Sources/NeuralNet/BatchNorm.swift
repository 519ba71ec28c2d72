/// Batch normalisation (Ioffe & Szegedy 2015) over channel 1 of [N, C] or
/// [N, C, H, W]: statistics per channel across the batch and spatial positions.
/// PyTorch's conventions: momentum 0.1, eps 1e-5, running variance unbiased.
public final class BatchNorm: Layer {
    public let channels: Int
    public let weight: Parameter, bias: Parameter
    public let runningMean: Parameter, runningVar: Parameter
    /// Batches seen, saved as PyTorch's `num_batches_tracked`.
    public var batchesTracked: Int64 = 0
    public let momentum: Float = 0.1, eps: Float = 1e-5

    private var xhat: [Float] = []
    private var invStd: [Float] = []
    private var shape: [Int] = []

    public init(name: String, channels: Int) {
        self.channels = channels
        weight = Parameter("\(name).weight", Tensor(shape: [channels], data: .init(repeating: 1, count: channels)))
        bias = Parameter("\(name).bias", Tensor(zeros: [channels]))
        runningMean = Parameter("\(name).running_mean", Tensor(zeros: [channels]))
        runningVar = Parameter(
            "\(name).running_var", Tensor(shape: [channels], data: .init(repeating: 1, count: channels)))
    }

    public var parameters: [Parameter] { [weight, bias] }
    public var buffers: [Parameter] { [runningMean, runningVar] }
    public func outputShape(_ s: [Int]) -> [Int] { s }

    /// Calls `body(channel)` for every channel of [n, channels, s], channels spread over the cores.
    private static func perChannel(_ channels: Int, _ n: Int, _ s: Int, _ body: (Int) -> Void) {
        Parallel.slices(channels, minimum: max(1, 8192 / max(1, n * s))) { _, r in for ch in r { body(ch) } }
    }

    // x [N, C, (H, W)] → y, same shape; inference uses the running statistics (`frozen()`).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        guard training else { return frozen()(x) }
        shape = x.shape
        let n = x.shape[0], c = channels, s = x.itemSize / c, m = Float(n * s)
        var y = Tensor(uninitialized: x.shape)
        var mean = runningMean.value.data, variance = runningVar.value.data
        batchesTracked += 1
        resize(&xhat, to: x.count)
        invStd = [Float](repeating: 0, count: c)
        x.data.withUnsafeBufferPointer { xb in
            y.data.withUnsafeMutableBufferPointer { yb in
                xhat.withUnsafeMutableBufferPointer { hb in
                    mean.withUnsafeMutableBufferPointer { mb in
                        variance.withUnsafeMutableBufferPointer { vb in
                            invStd.withUnsafeMutableBufferPointer { ib in
                                weight.value.data.withUnsafeBufferPointer { g in
                                    bias.value.data.withUnsafeBufferPointer { b in
                                        let xp = xb.baseAddress!, yp = SendablePointer(yb.baseAddress!),
                                            hp = SendablePointer(hb.baseAddress!)
                                        let mp = SendablePointer(mb.baseAddress!), vp = SendablePointer(vb.baseAddress!)
                                        let ip = SendablePointer(ib.baseAddress!)
                                        Self.perChannel(c, n, s) { ch in
                                            // Two passes (mean, then squared deviations) for accuracy.
                                            var sum: Float = 0
                                            for i in 0..<n { sum += Vector.sum(xp + (i * c + ch) * s, s) }
                                            let mu = sum / m
                                            var sq: Float = 0
                                            for i in 0..<n {
                                                sq += Vector.sumOfSquares(xp + (i * c + ch) * s, s, minus: mu)
                                            }
                                            let v = sq / m
                                            let inv = 1 / (v + eps).squareRoot()
                                            ip.p[ch] = inv
                                            for i in 0..<n {
                                                let o = (i * c + ch) * s
                                                for j in 0..<s { hp.p[o + j] = (xp[o + j] - mu) * inv }
                                                Vector.affine(hp.p + o, s, scale: g[ch], shift: b[ch], into: yp.p + o)
                                            }
                                            mp.p[ch] = (1 - momentum) * mp.p[ch] + momentum * mu
                                            vp.p[ch] = (1 - momentum) * vp.p[ch] + momentum * v * m / max(m - 1, 1)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        runningMean.value.data = mean
        runningVar.value.data = variance
        return y
    }

    /// y = x·scale + shift per channel, with scale = γ/√(σ² + ε) and shift = β − μ·scale.
    /// (After a convolution or dense layer the plan folds this into its epilogue instead.)
    public func frozen() -> InferenceStep {
        let g = weight.value.data, b = bias.value.data, mean = runningMean.value.data, variance = runningVar.value.data
        let scale = (0..<channels).map { g[$0] / (variance[$0] + eps).squareRoot() }
        let shift = (0..<channels).map { b[$0] - mean[$0] * scale[$0] }
        let c = channels
        return { x in
            let n = x.shape[0], s = x.itemSize / c
            var y = Tensor(uninitialized: x.shape)
            x.data.withUnsafeBufferPointer { xb in
                y.data.withUnsafeMutableBufferPointer { yb in
                    let xp = xb.baseAddress!, yp = SendablePointer(yb.baseAddress!)
                    BatchNorm.perChannel(c, n, s) { ch in
                        for i in 0..<n {
                            let o = (i * c + ch) * s
                            Vector.affine(xp + o, s, scale: scale[ch], shift: shift[ch], into: yp.p + o)
                        }
                    }
                }
            }
            return y
        }
    }

    // dx = γ·invstd/m · (m·dy − Σdy − x̂·Σ(dy·x̂))
    public func backward(_ dy: Tensor) -> Tensor {
        let n = shape[0], c = channels, s = dy.itemSize / c, m = Float(n * s)
        var dx = Tensor(uninitialized: shape)
        dy.data.withUnsafeBufferPointer { db in
            xhat.withUnsafeBufferPointer { hb in
                dx.data.withUnsafeMutableBufferPointer { xb in
                    weight.grad.data.withUnsafeMutableBufferPointer { gg in
                        bias.grad.data.withUnsafeMutableBufferPointer { bg in
                            let dp = db.baseAddress!, hp = hb.baseAddress!, xp = SendablePointer(xb.baseAddress!)
                            let ggp = SendablePointer(gg.baseAddress!), bgp = SendablePointer(bg.baseAddress!)
                            let gamma = weight.value.data, inv = invStd
                            Self.perChannel(c, n, s) { ch in
                                var sumDy: Float = 0, sumDyH: Float = 0
                                for i in 0..<n {
                                    let o = (i * c + ch) * s
                                    sumDy += Vector.sum(dp + o, s)
                                    sumDyH += Vector.dot(dp + o, hp + o, s)
                                }
                                ggp.p[ch] += sumDyH
                                bgp.p[ch] += sumDy
                                let k = gamma[ch] * inv[ch] / m
                                for i in 0..<n {
                                    let o = (i * c + ch) * s
                                    for j in 0..<s { xp.p[o + j] = k * (m * dp[o + j] - sumDy - hp[o + j] * sumDyH) }
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx
    }
}
