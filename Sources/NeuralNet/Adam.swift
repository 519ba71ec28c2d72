/// Adam (Kingma & Ba 2015) with optional decoupled weight decay (AdamW,
/// Loshchilov & Hutter 2019), applied only to parameters marked `decay`.
public final class Adam {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, eps: Float, weightDecay: Float
    private var m: [[Float]], v: [[Float]]
    private var step = 0
    private let params: [Parameter]

    public init(
        _ params: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        eps: Float = 1e-7, weightDecay: Float = 0
    ) {
        self.params = params
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
        m = params.map { [Float](repeating: 0, count: $0.value.count) }
        v = m
    }

    /// One update from the accumulated gradients, which are then zeroed.
    public func update() {
        step += 1
        let c1 = 1 - pow_(beta1, step), c2 = 1 - pow_(beta2, step)
        let lr = learningRate, b1 = beta1, b2 = beta2, eps = eps
        for (i, p) in params.enumerated() {
            let decay = p.decay ? 1 - learningRate * weightDecay : 1
            p.value.data.withUnsafeMutableBufferPointer { w in
                p.grad.data.withUnsafeMutableBufferPointer { g in
                    m[i].withUnsafeMutableBufferPointer { mp in
                        v[i].withUnsafeMutableBufferPointer { vp in
                            for j in w.indices {
                                mp[j] = b1 * mp[j] + (1 - b1) * g[j]
                                vp[j] = b2 * vp[j] + (1 - b2) * g[j] * g[j]
                                let mh = mp[j] / c1, vh = vp[j] / c2
                                w[j] = w[j] * decay - lr * mh / (vh.squareRoot() + eps)
                                g[j] = 0
                            }
                        }
                    }
                }
            }
        }
    }
}

@inline(__always) private func pow_(_ x: Float, _ n: Int) -> Float {
    var r: Float = 1
    for _ in 0..<min(n, 100_000) { r *= x }
    return r
}
