/// 3×3 convolution, stride 1, "valid" (pad 0) or "same" (pad 1) padding.
///
/// Lowered to GEMM through im2col: for a group of images the patch matrix
/// P [rows = images·OH·OW, K = C·9] times Wᵀ [K, OC] gives the outputs, rows
/// by channel, which are scattered back to NCHW. Weights use PyTorch's layout
/// `weight [OC, C, 3, 3]`, `bias [OC]`, so a row of W is one filter over P's K.
public final class Conv2D: Layer, InputGradientOptional {
    public let inChannels: Int, outChannels: Int, padding: Int
    public let weight: Parameter, bias: Parameter
    public var needsInputGradient = true

    private var input: [Int] = []          // [N, C, H, W] of the last forward
    private var patches: [Float] = []      // [N·OH·OW, K], kept from a training forward

    public init(name: String, inChannels: Int, outChannels: Int, padding: Int, rng: inout RNG) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.padding = padding
        let k = inChannels * 9
        let std = (2 / Float(k)).squareRoot()   // He et al. 2015
        weight = Parameter("\(name).weight",
                           Tensor(shape: [outChannels, inChannels, 3, 3], data: (0..<outChannels * k).map { _ in rng.normal() * std }),
                           decay: true)
        bias = Parameter("\(name).bias", Tensor(zeros: [outChannels]))
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func outputShape(_ s: [Int]) -> [Int] {
        [outChannels, s[1] + 2 * padding - 2, s[2] + 2 * padding - 2]
    }

    /// Images per GEMM: enough rows to fill the register tiles even on 3×3 maps.
    private func groupSize(_ rows: Int) -> Int { max(1, 768 / rows) }

    // x [N, C, H, W] → y [N, OC, OH, OW]
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        input = x.shape
        let n = x.shape[0], h = x.shape[2], w = x.shape[3]
        let oh = h + 2 * padding - 2, ow = w + 2 * padding - 2, r = oh * ow, k = inChannels * 9
        let oc = outChannels, g = groupSize(r)
        var y = Tensor(zeros: [n, oc, oh, ow])
        if training { patches = [Float](repeating: 0, count: n * r * k) } else { patches = [] }
        x.data.withUnsafeBufferPointer { xb in
        weight.value.data.withUnsafeBufferPointer { wb in
        bias.value.data.withUnsafeBufferPointer { bb in
        y.data.withUnsafeMutableBufferPointer { yb in
        patches.withUnsafeMutableBufferPointer { pb in
            let xp = xb.baseAddress!, wp = wb.baseAddress!, bp = bb.baseAddress!
            let yp = SendablePointer(yb.baseAddress!)
            let cache = training ? SendablePointer(pb.baseAddress!) : nil
            Parallel.slices(n, minimum: g) { _, range in
                let local = cache == nil ? UnsafeMutablePointer<Float>.allocate(capacity: g * r * k) : nil
                let out = UnsafeMutablePointer<Float>.allocate(capacity: g * r * oc)
                defer { local?.deallocate(); out.deallocate() }
                for i0 in stride(from: range.lowerBound, to: range.upperBound, by: g) {
                    let cnt = min(g, range.upperBound - i0)
                    let p = local ?? (cache!.p + i0 * r * k)
                    for i in 0..<cnt {
                        im2col(xp + (i0 + i) * inChannels * h * w, h, w, oh, ow, p + i * r * k)
                    }
                    GEMM.multiply(m: cnt * r, n: oc, k: k, .rows(p, columns: k), .transposed(wp, columns: k),
                                  out, ldc: oc, accumulate: false)
                    for i in 0..<cnt {
                        let dst = yp.p + (i0 + i) * oc * r, src = out + i * r * oc
                        for c in 0..<oc {
                            let b = bp[c]
                            for j in 0..<r { dst[c * r + j] = src[j * oc + c] + b }
                        }
                    }
                }
            }
        }}}}}
        return y
    }

    // dy [N, OC, OH, OW] → dx [N, C, H, W]; accumulates dW = dYᵀ·P and db = Σ dY.
    public func backward(_ dy: Tensor) -> Tensor {
        let n = input[0], h = input[2], w = input[3]
        let oh = h + 2 * padding - 2, ow = w + 2 * padding - 2, r = oh * ow, k = inChannels * 9
        let oc = outChannels, g = groupSize(r)
        var dx = Tensor(zeros: needsInputGradient ? input : [0])
        let needDx = needsInputGradient
        dy.data.withUnsafeBufferPointer { db in
        patches.withUnsafeBufferPointer { pb in
        weight.value.data.withUnsafeBufferPointer { wb in
        dx.data.withUnsafeMutableBufferPointer { dxb in
            let dyp = db.baseAddress!, pp = pb.baseAddress!, wp = wb.baseAddress!
            let dxp = needDx ? SendablePointer(dxb.baseAddress!) : nil
            Parallel.accumulating(n, minimum: g, into: [weight, bias]) { range, grads in
                let dyt = UnsafeMutablePointer<Float>.allocate(capacity: g * r * oc)
                let dp = needDx ? UnsafeMutablePointer<Float>.allocate(capacity: g * r * k) : nil
                defer { dyt.deallocate(); dp?.deallocate() }
                for i0 in stride(from: range.lowerBound, to: range.upperBound, by: g) {
                    let cnt = min(g, range.upperBound - i0)
                    for i in 0..<cnt {   // dY [OC, r] per image → dYt [r, OC]
                        let src = dyp + (i0 + i) * oc * r, dst = dyt + i * r * oc
                        for c in 0..<oc {
                            var s: Float = 0
                            for j in 0..<r { let v = src[c * r + j]; dst[j * oc + c] = v; s += v }
                            grads[1][c] += s
                        }
                    }
                    let p = pp + i0 * r * k
                    GEMM.multiply(m: oc, n: k, k: cnt * r, .transposed(dyt, columns: oc), .rows(p, columns: k),
                                  grads[0], ldc: k, accumulate: true)
                    if let dp, let dxp {
                        GEMM.multiply(m: cnt * r, n: k, k: oc, .rows(dyt, columns: oc), .rows(wp, columns: k),
                                      dp, ldc: k, accumulate: false)
                        for i in 0..<cnt {
                            col2im(dp + i * r * k, h, w, oh, ow, dxp.p + (i0 + i) * inChannels * h * w)
                        }
                    }
                }
            }
        }}}}
        return dx
    }

    /// One image [C, H, W] → its patch rows [OH·OW, C·9], zeros outside the border.
    @inline(__always)
    private func im2col(_ x: UnsafePointer<Float>, _ h: Int, _ w: Int, _ oh: Int, _ ow: Int,
                        _ p: UnsafeMutablePointer<Float>) {
        let pad = padding, k = inChannels * 9
        for oy in 0..<oh {
            for ox in 0..<ow {
                var row = p + (oy * ow + ox) * k
                for c in 0..<inChannels {
                    let xc = x + c * h * w
                    for ky in 0..<3 {
                        let iy = oy + ky - pad
                        for kx in 0..<3 {
                            let ix = ox + kx - pad
                            row[kx] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? xc[iy * w + ix] : 0
                        }
                        row += 3
                    }
                }
            }
        }
    }

    /// The adjoint of im2col: adds patch-row gradients back onto the image.
    @inline(__always)
    private func col2im(_ p: UnsafePointer<Float>, _ h: Int, _ w: Int, _ oh: Int, _ ow: Int,
                        _ dx: UnsafeMutablePointer<Float>) {
        let pad = padding, k = inChannels * 9
        for oy in 0..<oh {
            for ox in 0..<ow {
                var row = p + (oy * ow + ox) * k
                for c in 0..<inChannels {
                    let xc = dx + c * h * w
                    for ky in 0..<3 {
                        let iy = oy + ky - pad
                        for kx in 0..<3 {
                            let ix = ox + kx - pad
                            if iy >= 0 && iy < h && ix >= 0 && ix < w { xc[iy * w + ix] += row[kx] }
                        }
                        row += 3
                    }
                }
            }
        }
    }
}
