/// 3×3 convolution, stride 1, "valid" (pad 0) or "same" (pad 1) padding.
///
/// Lowered to GEMM through im2col (Chellapilla et al. 2006): W [OC, C·9] times
/// the column matrix Col [C·9, pixels] gives the output channels as rows, so
/// one image's result is already NCHW. Weights use PyTorch's layout
/// `weight [OC, C, 3, 3]`, `bias [OC]`, so a row of W is one filter.
public final class Conv2D: Layer, InputGradientOptional, EpilogueFusable {
    public let inChannels: Int, outChannels: Int, padding: Int
    public let weight: Parameter, bias: Parameter
    public var needsInputGradient = true

    private var input: [Int] = []          // [N, C, H, W] of the last forward
    private var cols: [Float] = []         // Col of every group, kept from a training forward
    /// Weights packed for GEMM, reused by inference until a training pass
    /// changes them or new weights are assigned (another storage address).
    private var packed: GEMM.PackedA?
    /// Wᵀ packed the other way, for an output map narrower than one GEMM panel.
    private var packedT: GEMM.PackedB?
    /// U = G g Gᵀ for Winograd inference on batches.
    private var winograd: Winograd?
    private var packedFrom: UnsafeRawPointer?

    /// `random: false` leaves the weights zero, for a checkpoint to fill.
    public init(name: String, inChannels: Int, outChannels: Int, padding: Int, rng: inout RNG, random: Bool = true) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.padding = padding
        let k = inChannels * 9
        let std = (2 / Float(k)).squareRoot()   // He et al. 2015
        weight = Parameter("\(name).weight",
                           Tensor(shape: [outChannels, inChannels, 3, 3],
                                  data: random ? (0..<outChannels * k).map { _ in rng.normal() * std } : .init(repeating: 0, count: outChannels * k)),
                           decay: true)
        bias = Parameter("\(name).bias", Tensor(zeros: [outChannels]))
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func outputShape(_ s: [Int]) -> [Int] {
        [outChannels, s[1] + 2 * padding - 2, s[2] + 2 * padding - 2]
    }

    /// Winograd thresholds, measured with `fashionsort bench --layers`.
    static let winogradMinimumChannels = 8, winogradTilesPerGroup = 196

    /// Images per GEMM: enough columns to fill the register tiles even on 3×3 maps.
    private func groupSize(_ pixels: Int) -> Int { max(1, 512 / pixels) }

    // x [N, C, H, W] → y [N, OC, OH, OW]
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        run(x, Epilogue(bias: bias), training: training)
    }

    public var canPool: Bool { true }

    // x [N, C, H, W] → y [N, OC, OH, OW], or [N, OC, OH/2, OW/2] when the epilogue pools
    public func infer(_ x: Tensor, _ epilogue: Epilogue) -> Tensor {
        run(x, epilogue, training: false)
    }

    // Per group of g images: Y [OC, g·R] = W [OC, K] · Col [K, g·R], R = OH·OW, K = C·9,
    // then each [R] plane of Y goes through the epilogue into y.
    private func run(_ x: Tensor, _ epilogue: Epilogue, training: Bool) -> Tensor {
        input = x.shape
        let n = x.shape[0], h = x.shape[2], w = x.shape[3]
        let oh = h + 2 * padding - 2, ow = w + 2 * padding - 2, r = oh * ow, k = inChannels * 9
        let oc = outChannels, g = groupSize(r)
        let yh = epilogue.pool ? oh / 2 : oh, yw = epilogue.pool ? ow / 2 : ow, yr = yh * yw
        var y = Tensor(uninitialized: [n, oc, yh, yw])
        if training { resize(&cols, to: n * r * k); packed = nil; packedT = nil; winograd = nil }
        let source = weight.value.data.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) }
        if !training && (packed == nil || packedFrom != source) {
            packed = weight.value.data.withUnsafeBufferPointer { GEMM.PackedA(m: oc, k: k, .rows($0.baseAddress!, columns: k)) }
            packedT = nil
            winograd = nil
            packedFrom = source
        }
        // A batch whose whole output map is narrower than one 16-column panel
        // (a 3×3 map at batch 1) is computed transposed: pixels as rows.
        let narrow = !training && n * r < GEMM.nr
        if narrow && packedT == nil {
            packedT = weight.value.data.withUnsafeBufferPointer { GEMM.PackedB(k: k, n: oc, .transposed($0.baseAddress!, columns: k)) }
        }
        let pw = packed, pt = narrow ? packedT : nil
        // Maps with enough input channels for the 16 small GEMMs to beat one big
        // one (conv1's single channel stays on im2col) go through Winograd. A lone
        // image runs on one core: split over both, its products took 0.27–0.72 ms
        // per slim pass against 0.20 ms on one (this host, 2026-11-26).
        let wino = !training && !narrow && inChannels >= Self.winogradMinimumChannels
        if wino && winograd == nil {
            winograd = weight.value.data.withUnsafeBufferPointer { Winograd(weights: $0.baseAddress!, outChannels: oc, inChannels: inChannels) }
        }
        let wg = wino ? winograd : nil
        let tiles = Winograd.tiles(oh, ow), tilesPerImage = tiles.rows * tiles.columns
        let group = wg == nil ? g : max(1, Self.winogradTilesPerGroup / tilesPerImage)
        x.data.withUnsafeBufferPointer { xb in
        weight.value.data.withUnsafeBufferPointer { wb in
        y.data.withUnsafeMutableBufferPointer { yb in
        cols.withUnsafeMutableBufferPointer { cb in
            let xp = xb.baseAddress!, wp = wb.baseAddress!
            let yp = SendablePointer(yb.baseAddress!)
            let cache = training ? SendablePointer(cb.baseAddress!) : nil
            Parallel.slices(n, minimum: group) { _, range in
                let local = cache == nil ? UnsafeMutablePointer<Float>.allocate(capacity: wg?.scratchSize(count: group, tiles: tilesPerImage) ?? g * r * k) : nil
                let out = UnsafeMutablePointer<Float>.allocate(capacity: group * r * oc)
                defer { local?.deallocate(); out.deallocate() }
                for i0 in stride(from: range.lowerBound, to: range.upperBound, by: group) {
                    let cnt = min(group, range.upperBound - i0), l = cnt * r
                    if let wg {
                        wg.convolve(xp + i0 * inChannels * h * w, count: cnt, h: h, w: w, padding: padding, into: out, ld: l, scratch: local!)
                        for i in 0..<cnt {
                            for c in 0..<oc {
                                epilogue.plane(c, out + c * l + i * r, oh, ow, into: yp.p + ((i0 + i) * oc + c) * yr)
                            }
                        }
                        continue
                    }
                    let col = local ?? (cache!.p + i0 * r * k)
                    for i in 0..<cnt {
                        im2col(xp + (i0 + i) * inChannels * h * w, h, w, oh, ow, col + i * r, l)
                    }
                    if let pt {
                        // Y [OC, l] = (Colᵀ [l, K] · Wᵀ [K, OC])ᵀ
                        let yt = UnsafeMutablePointer<Float>.allocate(capacity: l * oc)
                        defer { yt.deallocate() }
                        GEMM.multiply(m: l, .transposed(col, columns: l), pt, columns: 0..<oc, yt, ldc: oc)
                        for j in 0..<l { for c in 0..<oc { out[c * l + j] = yt[j * oc + c] } }
                    } else if let pw {
                        GEMM.multiply(pw, n: l, .rows(col, columns: l), out, ldc: l, accumulate: false)
                    } else {
                        GEMM.multiply(m: oc, n: l, k: k, .rows(wp, columns: k), .rows(col, columns: l),
                                      out, ldc: l, accumulate: false)
                    }
                    for i in 0..<cnt {
                        for c in 0..<oc {
                            epilogue.plane(c, out + c * l + i * r, oh, ow, into: yp.p + ((i0 + i) * oc + c) * yr)
                        }
                    }
                }
            }
        }}}}
        return y
    }

    // dy [N, OC, OH, OW] → dx [N, C, H, W]
    // Per group: dW += dY [OC, g·R] · Colᵀ, db += Σ dY, dCol [K, g·R] = Wᵀ · dY, then col2im.
    public func backward(_ dy: Tensor) -> Tensor {
        let n = input[0], h = input[2], w = input[3]
        let oh = h + 2 * padding - 2, ow = w + 2 * padding - 2, r = oh * ow, k = inChannels * 9
        let oc = outChannels, g = groupSize(r)
        var dx = Tensor(zeros: needsInputGradient ? input : [0])
        let needDx = needsInputGradient
        dy.data.withUnsafeBufferPointer { db in
        cols.withUnsafeBufferPointer { cb in
        weight.value.data.withUnsafeBufferPointer { wb in
        dx.data.withUnsafeMutableBufferPointer { dxb in
            let dyp = db.baseAddress!, cp = cb.baseAddress!, wp = wb.baseAddress!
            let dxp = needDx ? SendablePointer(dxb.baseAddress!) : nil
            Parallel.accumulating(n, minimum: g, into: [weight, bias]) { range, grads in
                let gathered = UnsafeMutablePointer<Float>.allocate(capacity: g * r * oc)
                let dcol = needDx ? UnsafeMutablePointer<Float>.allocate(capacity: g * r * k) : nil
                defer { gathered.deallocate(); dcol?.deallocate() }
                for i0 in stride(from: range.lowerBound, to: range.upperBound, by: g) {
                    let cnt = min(g, range.upperBound - i0), l = cnt * r
                    // dY of the group as [OC, g·R]; one image is already in that layout.
                    let dyg: UnsafePointer<Float>
                    if cnt == 1 {
                        dyg = dyp + i0 * oc * r
                    } else {
                        for i in 0..<cnt { for c in 0..<oc {
                            (gathered + c * l + i * r).update(from: dyp + ((i0 + i) * oc + c) * r, count: r)
                        }}
                        dyg = UnsafePointer(gathered)
                    }
                    for c in 0..<oc { grads[1][c] += Vector.sum(dyg + c * l, l) }
                    let col = cp + i0 * r * k
                    GEMM.multiply(m: oc, n: k, k: l, .rows(dyg, columns: l), .transposed(col, columns: l),
                                  grads[0], ldc: k, accumulate: true)
                    if let dcol, let dxp {
                        GEMM.multiply(m: k, n: l, k: oc, .transposed(wp, columns: k), .rows(dyg, columns: l),
                                      dcol, ldc: l, accumulate: false)
                        for i in 0..<cnt {
                            col2im(dcol + i * r, l, h, w, oh, ow, dxp.p + (i0 + i) * inChannels * h * w)
                        }
                    }
                }
            }
        }}}}
        return dx
    }

    /// One image [C, H, W] → its columns of Col [C·9, ·] (row stride `ld`), zeros outside the border.
    @inline(__always)
    private func im2col(_ x: UnsafePointer<Float>, _ h: Int, _ w: Int, _ oh: Int, _ ow: Int,
                        _ col: UnsafeMutablePointer<Float>, _ ld: Int) {
        let pad = padding
        for c in 0..<inChannels {
            for ky in 0..<3 {
                for kx in 0..<3 {
                    let row = col + ((c * 3 + ky) * 3 + kx) * ld
                    for oy in 0..<oh {
                        let iy = oy + ky - pad, dst = row + oy * ow
                        guard iy >= 0 && iy < h else { dst.update(repeating: 0, count: ow); continue }
                        // Valid columns are one contiguous run: copy it, zero the padding.
                        let lo = max(0, pad - kx), hi = min(ow, w + pad - kx)
                        for j in 0..<lo { dst[j] = 0 }
                        Vector.copy(x + (c * h + iy) * w + lo + kx - pad, dst + lo, hi - lo)
                        for j in hi..<ow { dst[j] = 0 }
                    }
                }
            }
        }
    }

    /// The adjoint of im2col: adds column gradients back onto the image.
    @inline(__always)
    private func col2im(_ col: UnsafePointer<Float>, _ ld: Int, _ h: Int, _ w: Int, _ oh: Int, _ ow: Int,
                        _ dx: UnsafeMutablePointer<Float>) {
        let pad = padding
        for c in 0..<inChannels {
            for ky in 0..<3 {
                for kx in 0..<3 {
                    let row = col + ((c * 3 + ky) * 3 + kx) * ld
                    for oy in 0..<oh {
                        let iy = oy + ky - pad
                        guard iy >= 0 && iy < h else { continue }
                        let src = row + oy * ow, dst = dx + (c * h + iy) * w
                        for ox in 0..<ow {
                            let ix = ox + kx - pad
                            if ix >= 0 && ix < w { dst[ix] += src[ox] }
                        }
                    }
                }
            }
        }
    }
}
