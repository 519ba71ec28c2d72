/// ReLU, y = max(0, x); backward passes dy where the output was positive.
public final class ReLU: Layer {
    private var y = Tensor(zeros: [0])
    public init() {}
    public func outputShape(_ s: [Int]) -> [Int] { s }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        var out = Tensor(uninitialized: x.shape)
        Elementwise.map(x, into: &out) { max($0, 0) }
        if training { y = out }
        return out
    }

    public func backward(_ dy: Tensor) -> Tensor {
        var dx = Tensor(uninitialized: dy.shape)
        Elementwise.zip(dy, y, into: &dx) { d, out in out > 0 ? d : 0 }
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
        Elementwise.zip(x, mask, into: &y) { $0 * $1 }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard rate > 0 else { return dy }
        var dx = Tensor(uninitialized: dy.shape)
        Elementwise.zip(dy, mask, into: &dx) { $0 * $1 }
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

/// Element-by-element loops spread over the cores in large chunks.
enum Elementwise {
    @inline(__always)
    static func map(_ x: Tensor, into out: inout Tensor, _ f: (Float) -> Float) {
        x.data.withUnsafeBufferPointer { xb in
        out.data.withUnsafeMutableBufferPointer { ob in
            let xp = xb.baseAddress!, op = SendablePointer(ob.baseAddress!)
            Parallel.slices(xb.count, minimum: 1 << 16) { _, r in for i in r { op.p[i] = f(xp[i]) } }
        }}
    }

    @inline(__always)
    static func zip(_ a: Tensor, _ b: Tensor, into out: inout Tensor, _ f: (Float, Float) -> Float) {
        a.data.withUnsafeBufferPointer { ab in
        b.data.withUnsafeBufferPointer { bb in
        out.data.withUnsafeMutableBufferPointer { ob in
            let ap = ab.baseAddress!, bp = bb.baseAddress!, op = SendablePointer(ob.baseAddress!)
            Parallel.slices(ab.count, minimum: 1 << 16) { _, r in for i in r { op.p[i] = f(ap[i], bp[i]) } }
        }}}
    }
}
