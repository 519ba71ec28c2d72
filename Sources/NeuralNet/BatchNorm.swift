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
        runningVar = Parameter("\(name).running_var", Tensor(shape: [channels], data: .init(repeating: 1, count: channels)))
    }

    public var parameters: [Parameter] { [weight, bias] }
    public var buffers: [Parameter] { [runningMean, runningVar] }
    public func outputShape(_ s: [Int]) -> [Int] { s }

    // x [N, C, (H, W)] → y, same shape
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        shape = x.shape
        let n = x.shape[0], c = channels, s = x.itemSize / c, m = Float(n * s)
        var y = x
        let g = weight.value.data, b = bias.value.data
        if !training {
            for ch in 0..<c {
                let scale = g[ch] / (runningVar.value.data[ch] + eps).squareRoot()
                let shift = b[ch] - runningMean.value.data[ch] * scale
                y.data.withUnsafeMutableBufferPointer { yp in
                    for i in 0..<n { let base = (i * c + ch) * s; for j in 0..<s { yp[base + j] = yp[base + j] * scale + shift } }
                }
            }
            return y
        }
        batchesTracked += 1
        xhat = [Float](repeating: 0, count: x.count)
        invStd = [Float](repeating: 0, count: c)
        x.data.withUnsafeBufferPointer { xp in
        y.data.withUnsafeMutableBufferPointer { yp in
        xhat.withUnsafeMutableBufferPointer { hp in
            for ch in 0..<c {
                var sum: Double = 0, sq: Double = 0
                for i in 0..<n { let base = (i * c + ch) * s; for j in 0..<s { let v = Double(xp[base + j]); sum += v; sq += v * v } }
                let mean = sum / Double(m), variance = max(sq / Double(m) - mean * mean, 0)
                let inv = Float(1 / (variance + Double(eps)).squareRoot())
                invStd[ch] = inv
                let mu = Float(mean)
                for i in 0..<n {
                    let base = (i * c + ch) * s
                    for j in 0..<s { let h = (xp[base + j] - mu) * inv; hp[base + j] = h; yp[base + j] = h * g[ch] + b[ch] }
                }
                runningMean.value.data[ch] = (1 - momentum) * runningMean.value.data[ch] + momentum * mu
                let unbiased = Float(variance) * m / max(m - 1, 1)
                runningVar.value.data[ch] = (1 - momentum) * runningVar.value.data[ch] + momentum * unbiased
            }
        }}}
        return y
    }

    // dx = γ·invstd/m · (m·dy − Σdy − x̂·Σ(dy·x̂))
    public func backward(_ dy: Tensor) -> Tensor {
        let n = shape[0], c = channels, s = dy.itemSize / c, m = Float(n * s)
        var dx = Tensor(zeros: shape)
        dy.data.withUnsafeBufferPointer { dp in
        xhat.withUnsafeBufferPointer { hp in
        dx.data.withUnsafeMutableBufferPointer { xp in
            for ch in 0..<c {
                var sumDy: Float = 0, sumDyH: Float = 0
                for i in 0..<n { let base = (i * c + ch) * s; for j in 0..<s { sumDy += dp[base + j]; sumDyH += dp[base + j] * hp[base + j] } }
                weight.grad.data[ch] += sumDyH
                bias.grad.data[ch] += sumDy
                let k = weight.value.data[ch] * invStd[ch] / m
                for i in 0..<n {
                    let base = (i * c + ch) * s
                    for j in 0..<s { xp[base + j] = k * (m * dp[base + j] - sumDy - hp[base + j] * sumDyH) }
                }
            }
        }}}
        return dx
    }
}
