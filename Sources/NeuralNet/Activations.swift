/// ReLU, y = max(0, x); backward passes dy where the output was positive.
public final class ReLU: Layer {
    private var y = Tensor(zeros: [0])
    public init() {}
    public func outputShape(_ s: [Int]) -> [Int] { s }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let out = Self.relu(x)
        if training { y = out }
        return out
    }

    public func frozen() -> InferenceStep { { ReLU.relu($0) } }

    static func relu(_ x: Tensor) -> Tensor {
        var out = Tensor(uninitialized: x.shape)
        Elementwise.apply(.relu, x, x, into: &out)
        return out
    }

    public func backward(_ dy: Tensor) -> Tensor {
        var dx = Tensor(uninitialized: dy.shape)
        Elementwise.apply(.reluGradient, dy, y, into: &dx)
        return dx
    }
}

/// Inverted dropout (Srivastava et al. 2014): at training time each value is
/// zeroed with probability p and survivors are scaled by 1/(1−p), so inference
/// is the identity.
public final class Dropout: Layer {
    public let rate: Float
    private var rng: RNG
    private var mask = Tensor(zeros: [0])

    public init(rate: Float, rng: inout RNG) {
        self.rate = rate
        self.rng = rng.split()
    }

    public func outputShape(_ s: [Int]) -> [Int] { s }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        guard training, rate > 0 else { return x }
        let keep = 1 / (1 - rate)
        // Two 24-bit uniforms from each 64-bit draw.
        let threshold = UInt64(Double(rate) * Double(1 << 24))
        mask = Tensor(uninitialized: x.shape)
        mask.data.withUnsafeMutableBufferPointer { m in
            var i = 0
            while i < m.count {
                let r = rng.next()
                m[i] = (r & 0xFF_FFFF) < threshold ? 0 : keep
                if i + 1 < m.count { m[i + 1] = (r >> 32 & 0xFF_FFFF) < threshold ? 0 : keep }
                i += 2
            }
        }
        var y = Tensor(uninitialized: x.shape)
        Elementwise.apply(.multiply, x, mask, into: &y)
        return y
    }

    public func frozen() -> InferenceStep { { $0 } }

    public func backward(_ dy: Tensor) -> Tensor {
        guard rate > 0 else { return dy }
        var dx = Tensor(uninitialized: dy.shape)
        Elementwise.apply(.multiply, dy, mask, into: &dx)
        return dx
    }
}

/// [N, C, H, W] → [N, C·H·W] in C-major order, as PyTorch's `flatten(1)`.
public final class Flatten: Layer {
    private var input: [Int] = []
    public init() {}
    public func outputShape(_ s: [Int]) -> [Int] { [s.reduce(1, *)] }
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        if training { input = x.shape }
        return Self.flatten(x)
    }
    public func frozen() -> InferenceStep { { Flatten.flatten($0) } }
    static func flatten(_ x: Tensor) -> Tensor { x.reshaped([x.shape[0], x.itemSize]) }
    public func backward(_ dy: Tensor) -> Tensor { dy.reshaped(input) }
}

/// Element-by-element loops spread over the cores in large chunks. Each
/// operation is a plain loop of its own so the compiler vectorises it (a
/// closure per element ran at 1.7 ns per value).
enum Elementwise {
    enum Operation { case relu, reluGradient, multiply }

    /// out = relu(a) | (b > 0 ? a : 0) | a·b
    static func apply(_ op: Operation, _ a: Tensor, _ b: Tensor, into out: inout Tensor) {
        a.data.withUnsafeBufferPointer { ab in
            b.data.withUnsafeBufferPointer { bb in
                out.data.withUnsafeMutableBufferPointer { ob in
                    let ap = ab.baseAddress!, bp = bb.baseAddress!, o = SendablePointer(ob.baseAddress!)
                    Parallel.slices(ab.count, minimum: 1 << 16) { _, r in
                        switch op {
                        case .relu: for i in r { o.p[i] = max(ap[i], 0) }
                        case .reluGradient: for i in r { o.p[i] = bp[i] > 0 ? ap[i] : 0 }
                        case .multiply: for i in r { o.p[i] = ap[i] * bp[i] }
                        }
                    }
                }
            }
        }
    }
}
