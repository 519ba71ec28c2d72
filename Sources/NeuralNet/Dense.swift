/// Fully connected layer, y = x·Wᵀ + b, with PyTorch's `weight [out, in]`.
public final class Dense: Layer, InputGradientOptional, EpilogueFusable {
    public let inFeatures: Int, outFeatures: Int
    public let weight: Parameter, bias: Parameter
    public var needsInputGradient = true
    private var x = Tensor(zeros: [0])

    /// `random: false` leaves the weights zero, for a checkpoint to fill.
    public init(name: String, inFeatures: Int, outFeatures: Int, rng: inout RNG, random: Bool = true) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        let std = (2 / Float(inFeatures)).squareRoot()   // He et al. 2015
        weight = Parameter("\(name).weight",
                           Tensor(shape: [outFeatures, inFeatures],
                                  data: random ? (0..<outFeatures * inFeatures).map { _ in rng.normal() * std }
                                               : .init(repeating: 0, count: outFeatures * inFeatures)),
                           decay: true)
        bias = Parameter("\(name).bias", Tensor(zeros: [outFeatures]))
    }

    public var parameters: [Parameter] { [weight, bias] }
    public func outputShape(_ s: [Int]) -> [Int] { [outFeatures] }

    // x [N, in] → y [N, out]
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        if training { self.x = x }
        return infer(x, Epilogue(bias: bias))
    }

    public var canPool: Bool { false }

    // x [N, in] → y [N, out] = epilogue(x·Wᵀ)
    public func infer(_ x: Tensor, _ epilogue: Epilogue) -> Tensor {
        let n = x.shape[0], fi = inFeatures, fo = outFeatures
        var y = Tensor(uninitialized: [n, fo])
        x.data.withUnsafeBufferPointer { xb in
        weight.value.data.withUnsafeBufferPointer { wb in
        y.data.withUnsafeMutableBufferPointer { yb in
            let xp = xb.baseAddress!, wp = wb.baseAddress!, yp = SendablePointer(yb.baseAddress!)
            if n < 4 {
                // A few rows: dot products over W's contiguous rows beat packing all of Wᵀ;
                // a big W is streamed by all cores (memory-bound).
                Parallel.slices(fo, minimum: max(1, (1 << 15) / fi)) { _, outs in
                    for i in 0..<n { for o in outs { yp.p[i * fo + o] = Vector.dot(wp + o * fi, xp + i * fi, fi) } }
                }
            } else {
                Parallel.slices(n, minimum: 32) { _, r in
                    GEMM.multiply(m: r.count, n: fo, k: fi, .rows(xp + r.lowerBound * fi, columns: fi),
                                  .transposed(wp, columns: fi), yp.p + r.lowerBound * fo, ldc: fo, accumulate: false)
                }
            }
            for i in 0..<n { epilogue.row(yp.p + i * fo, fo) }
        }}}
        return y
    }

    // dy [N, out] → dx [N, in]; dW += dyᵀ·x, db += Σ dy
    public func backward(_ dy: Tensor) -> Tensor {
        let n = dy.shape[0], fi = inFeatures, fo = outFeatures
        var dx = Tensor(zeros: needsInputGradient ? [n, fi] : [0])
        let needDx = needsInputGradient
        dy.data.withUnsafeBufferPointer { db in
        x.data.withUnsafeBufferPointer { xb in
        weight.value.data.withUnsafeBufferPointer { wb in
        dx.data.withUnsafeMutableBufferPointer { dxb in
            let dyp = db.baseAddress!, xp = xb.baseAddress!, wp = wb.baseAddress!
            let dxp = needDx ? SendablePointer(dxb.baseAddress!) : nil
            Parallel.accumulating(n, minimum: 32, into: [weight, bias]) { r, grads in
                let d = dyp + r.lowerBound * fo
                GEMM.multiply(m: fo, n: fi, k: r.count, .transposed(d, columns: fo),
                              .rows(xp + r.lowerBound * fi, columns: fi), grads[0], ldc: fi, accumulate: true)
                for i in 0..<r.count { for j in 0..<fo { grads[1][j] += d[i * fo + j] } }
                if let dxp {
                    GEMM.multiply(m: r.count, n: fi, k: fo, .rows(d, columns: fo), .rows(wp, columns: fi),
                                  dxp.p + r.lowerBound * fi, ldc: fi, accumulate: false)
                }
            }
        }}}}
        return dx
    }
}
