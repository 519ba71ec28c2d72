/// ReLU, y = max(0, x); backward passes dy where the output was positive.
public final class ReLU: Layer {
    private var y = Tensor(zeros: [0])
    public init() {}
    public func outputShape(_ s: [Int]) -> [Int] { s }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        var out = x
        out.data.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = max(p[i], 0) } }
        if training { y = out }
        return out
    }

    public func backward(_ dy: Tensor) -> Tensor {
        var dx = dy
        dx.data.withUnsafeMutableBufferPointer { d in
            y.data.withUnsafeBufferPointer { yp in for i in d.indices where yp[i] <= 0 { d[i] = 0 } }
        }
        return dx
    }
}

/// Inverted dropout (Srivastava et al. 2014): at training time each value is
/// zeroed with probability p and survivors are scaled by 1/(1−p), so inference
/// is the identity.
public final class Dropout: Layer {
    public let rate: Float
    private var rng: RNG
    private var mask: [Float] = []

    public init(rate: Float, rng: inout RNG) {
        self.rate = rate
        self.rng = rng.split()
    }

    public func outputShape(_ s: [Int]) -> [Int] { s }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        guard training, rate > 0 else { return x }
        let keep = 1 / (1 - rate)
        mask = (0..<x.count).map { _ in rng.uniform() < rate ? 0 : keep }
        var y = x
        for i in 0..<y.count { y.data[i] *= mask[i] }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard rate > 0 else { return dy }
        var dx = dy
        for i in 0..<dx.count { dx.data[i] *= mask[i] }
        return dx
    }
}

/// [N, C, H, W] → [N, C·H·W] in C-major order, as PyTorch's `flatten(1)`.
public final class Flatten: Layer {
    private var input: [Int] = []
    public init() {}
    public func outputShape(_ s: [Int]) -> [Int] { [s.reduce(1, *)] }
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        input = x.shape
        return x.reshaped([x.shape[0], x.itemSize])
    }
    public func backward(_ dy: Tensor) -> Tensor { dy.reshaped(input) }
}
