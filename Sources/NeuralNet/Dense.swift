/// Fully connected layer, y = x·Wᵀ + b, with PyTorch's `weight [out, in]`.
public final class Dense: Layer, InputGradientOptional, EpilogueFusable {
    public let inFeatures: Int, outFeatures: Int
    public let weight: Parameter, bias: Parameter
    public var needsInputGradient = true
    private var x = Tensor(zeros: [0])
    /// W in bfloat16 for batched inference, and the weight buffer it was made from.
    private var reduced: BFloat16.PackedA?
    private var reducedFrom: UnsafeRawPointer?

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
        if training { self.x = x; reduced = nil }
        return product(x, Epilogue(bias: bias), bfloat16: !training && BFloat16.enabled)
    }

    public var canPool: Bool { false }

    // x [N, in] → y [N, out] = epilogue(x·Wᵀ)
    public func infer(_ x: Tensor, _ epilogue: Epilogue) -> Tensor {
        product(x, epilogue, bfloat16: BFloat16.enabled)
    }

    /// Training keeps float32; inference may round the products to bfloat16.
    private func product(_ x: Tensor, _ epilogue: Epilogue, bfloat16: Bool) -> Tensor {
        let n = x.shape[0], fi = inFeatures, fo = outFeatures
        var y = Tensor(uninitialized: [n, fo])
        x.data.withUnsafeBufferPointer { xb in
        weight.value.data.withUnsafeBufferPointer { wb in
        y.data.withUnsafeMutableBufferPointer { yb in
            let xp = xb.baseAddress!, wp = wb.baseAddress!, yp = SendablePointer(yb.baseAddress!)
            if n < 4 {
                // A few rows: dot products over W's contiguous rows beat packing all of
                // Wᵀ; on one core, as for a lone image's convolutions (Conv2D).
                for i in 0..<n { for o in 0..<fo { yp.p[i * fo + o] = Vector.dot(wp + o * fi, xp + i * fi, fi) } }
            } else if bfloat16, let w = reducedWeights(wp) {
                // Yᵀ [out, rows] = W · Xᵀ, the weights packed once; then back to rows.
                let wv = UncheckedSendable(w)
                Parallel.slices(n, minimum: 32) { _, r in
                    let yt = UnsafeMutablePointer<Float>.allocate(capacity: fo * r.count)
                    let scratch = UnsafeMutablePointer<UInt16>.allocate(capacity: BFloat16.scratchCount(k: fi, n: r.count))
                    defer { yt.deallocate(); scratch.deallocate() }
                    BFloat16.multiply(wv.value, n: r.count, xp + r.lowerBound * fi, ldb: fi, transposed: true, yt, ldc: r.count, scratch: scratch)
                    for (i, row) in r.enumerated() { for o in 0..<fo { yp.p[row * fo + o] = yt[o * r.count + i] } }
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

    /// W [out, in] in bfloat16, packed on first use and again when the weights
    /// are replaced or trained.
    private func reducedWeights(_ w: UnsafePointer<Float>) -> BFloat16.PackedA? {
        if reduced == nil || reducedFrom != UnsafeRawPointer(w) {
            reduced = BFloat16.PackedA(m: outFeatures, k: inFeatures, rows: w, lda: inFeatures)
            reducedFrom = UnsafeRawPointer(w)
        }
        return reduced
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
