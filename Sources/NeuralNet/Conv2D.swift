/// 3×3 convolution, stride 1, "valid" (pad 0) or "same" (pad 1) padding.
///
/// Lowered to GEMM through im2col (Chellapilla et al. 2006): W [OC, C·9] times
/// the column matrix Col [C·9, pixels] gives the output channels as rows, so
/// one image's result is already NCHW. Weights use PyTorch's layout
/// `weight [OC, C, 3, 3]`, `bias [OC]`, so a row of W is one filter.
public final class Conv2D: Layer, InputGradientOptional, EpilogueFusable {
    let geometry: Geometry
    public var inChannels: Int { geometry.inChannels }
    public var outChannels: Int { geometry.outChannels }
    public var padding: Int { geometry.padding }
    public let weight: Parameter, bias: Parameter
    public var needsInputGradient = true

    private var input: [Int] = []  // [N, C, H, W] of the last training forward
    private var cols: [Float] = []  // Col of every group, kept for backward

    /// `random: false` leaves the weights zero, for a checkpoint to fill.
    public init(name: String, inChannels: Int, outChannels: Int, padding: Int, rng: inout RNG, random: Bool = true) {
        geometry = Geometry(inChannels: inChannels, outChannels: outChannels, padding: padding)
        let k = inChannels * 9
        weight = .heWeight(
            "\(name).weight", shape: [outChannels, inChannels, 3, 3], fanIn: k, rng: &rng, random: random)
        bias = Parameter("\(name).bias", Tensor(zeros: [outChannels]))
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func outputShape(_ s: [Int]) -> [Int] {
        let (oh, ow) = geometry.outputSize(s[1], s[2])
        return [outChannels, oh, ow]
    }

    /// Winograd thresholds, measured with `fashionsort bench --layers`.
    static let winogradMinimumChannels = 8, winogradTilesPerGroup = 196

    // x [N, C, H, W] → y [N, OC, OH, OW]; inference packs the weights on every call (`frozen()` packs once).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        guard training else { return frozen()(x) }
        input = x.shape
        let (oh, ow) = geometry.outputSize(x.shape[2], x.shape[3])
        resize(&cols, to: x.shape[0] * oh * ow * inChannels * 9)
        return weight.value.data.withUnsafeBufferPointer { wb in
            cols.withUnsafeMutableBufferPointer { cb in
                geometry.run(x, Epilogue(bias: bias), .training(weights: wb.baseAddress!, columns: cb.baseAddress!))
            }
        }
    }

    public var canPool: Bool { true }

    public func frozen(_ epilogue: Epilogue) -> InferenceStep {
        let inference = Inference(geometry, weights: weight.value.data, epilogue)
        return { inference($0) }
    }

    // dy [N, OC, OH, OW] → dx [N, C, H, W]
    // Per group: dW += dY [OC, g·R] · Colᵀ, db += Σ dY, dCol [K, g·R] = Wᵀ · dY, then col2im.
    public func backward(_ dy: Tensor) -> Tensor {
        let n = input[0], h = input[2], w = input[3]
        let (oh, ow) = geometry.outputSize(h, w), r = oh * ow, k = inChannels * 9
        let oc = outChannels, g = geometry.groupSize(r)
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
                                    for i in 0..<cnt {
                                        for c in 0..<oc {
                                            (gathered + c * l + i * r).update(
                                                from: dyp + ((i0 + i) * oc + c) * r, count: r)
                                        }
                                    }
                                    dyg = UnsafePointer(gathered)
                                }
                                for c in 0..<oc { grads[1][c] += Vector.sum(dyg + c * l, l) }
                                let col = cp + i0 * r * k
                                GEMM.multiply(
                                    m: oc, n: k, k: l, .rows(dyg, columns: l), .transposed(col, columns: l),
                                    grads[0], ldc: k, accumulate: true)
                                if let dcol, let dxp {
                                    GEMM.multiply(
                                        m: k, n: l, k: oc, .transposed(wp, columns: k), .rows(dyg, columns: l),
                                        dcol, ldc: l, accumulate: false)
                                    for i in 0..<cnt {
                                        geometry.col2im(
                                            dcol + i * r, l, h, w, oh, ow, dxp.p + (i0 + i) * inChannels * h * w)
                                    }
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

extension Conv2D {
    /// The convolution at inference: the weights packed once, the epilogue fixed.
    struct Inference: Sendable {
        let geometry: Geometry
        let epilogue: Epilogue
        /// For batches with enough output pixels: W packed for im2col, or U for Winograd.
        let wide: Packed
        /// Wᵀ packed as GEMM's B, for a batch whose whole output map is narrower than one
        /// 16-column panel (a 3×3 map at batch 1): pixels as rows fill the register tiles.
        let narrow: GEMM.PackedB

        init(_ geometry: Geometry, weights: [Float], _ epilogue: Epilogue) {
            self.geometry = geometry
            self.epilogue = epilogue
            let c = geometry.inChannels, oc = geometry.outChannels, k = c * 9
            // Maps with enough input channels for the 16 small GEMMs to beat one big
            // one (conv1's single channel stays on im2col) go through Winograd.
            (wide, narrow) = weights.withUnsafeBufferPointer { w in
                let p = w.baseAddress!
                let wide: Packed =
                    c >= Conv2D.winogradMinimumChannels
                    ? .winograd(Winograd(weights: p, outChannels: oc, inChannels: c))
                    : .im2col(GEMM.PackedA(m: oc, k: k, .rows(p, columns: k)))
                return (wide, GEMM.PackedB(k: k, n: oc, .transposed(p, columns: k)))
            }
        }

        // x [N, C, H, W] → y [N, OC, OH, OW], or [N, OC, OH/2, OW/2] when the epilogue pools
        func callAsFunction(_ x: Tensor) -> Tensor {
            let (oh, ow) = geometry.outputSize(x.shape[2], x.shape[3])
            return geometry.run(x, epilogue, .packed(x.shape[0] * oh * ow < GEMM.nr ? .transposed(narrow) : wide))
        }
    }

    /// Weights packed for inference.
    enum Packed: Sendable {
        case im2col(GEMM.PackedA)
        case transposed(GEMM.PackedB)
        case winograd(Winograd)
    }

    /// Where a pass takes its products from.
    enum Products {
        /// The plain weights [OC, C·9], and room for every image's columns, which backward reuses.
        case training(weights: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>)
        case packed(Packed)
    }

    /// The layer's sizes: all a pass needs besides its weights, shared by training and `Inference`.
    struct Geometry: Sendable {
        let inChannels: Int, outChannels: Int, padding: Int

        func outputSize(_ h: Int, _ w: Int) -> (Int, Int) { (h + 2 * padding - 2, w + 2 * padding - 2) }

        /// Images per GEMM: enough columns to fill the register tiles even on 3×3 maps.
        func groupSize(_ pixels: Int) -> Int { max(1, 512 / pixels) }

        // Per group of g images: Y [OC, g·R] = W [OC, K] · Col [K, g·R], R = OH·OW, K = C·9,
        // then each [R] plane of Y goes through the epilogue into y. Batches split over
        // the cores by images, so a lone image stays on one core, where it runs fastest.
        func run(_ x: Tensor, _ epilogue: Epilogue, _ products: Products) -> Tensor {
            let n = x.shape[0], h = x.shape[2], w = x.shape[3]
            let (oh, ow) = outputSize(h, w), r = oh * ow, k = inChannels * 9, oc = outChannels
            let yh = epilogue.pool ? oh / 2 : oh, yw = epilogue.pool ? ow / 2 : ow, yr = yh * yw
            var y = Tensor(uninitialized: [n, oc, yh, yw])
            // Per worker: Winograd's transforms, or one group's columns (training keeps every group's).
            let group: Int, scratch: Int
            switch products {
            case .packed(.winograd(let u)):
                let tiles = Winograd.tiles(oh, ow), perImage = tiles.rows * tiles.columns
                group = max(1, Conv2D.winogradTilesPerGroup / perImage)
                scratch = u.scratchSize(count: group, tiles: perImage)
            case .training: group = groupSize(r); scratch = 0
            case .packed: group = groupSize(r); scratch = group * r * k
            }
            x.data.withUnsafeBufferPointer { xb in
                y.data.withUnsafeMutableBufferPointer { yb in
                    let xp = xb.baseAddress!, yp = SendablePointer(yb.baseAddress!)
                    Parallel.slices(n, minimum: group) { _, range in
                        let local = UnsafeMutablePointer<Float>.allocate(capacity: scratch)
                        let out = UnsafeMutablePointer<Float>.allocate(capacity: group * r * oc)
                        defer { local.deallocate(); out.deallocate() }
                        for i0 in stride(from: range.lowerBound, to: range.upperBound, by: group) {
                            let cnt = min(group, range.upperBound - i0), l = cnt * r
                            let images = xp + i0 * inChannels * h * w
                            switch products {
                            case .packed(.winograd(let u)):
                                u.convolve(
                                    images, count: cnt, h: h, w: w, padding: padding, into: out, ld: l,
                                    scratch: local)
                            case .training(let wp, let columns):
                                let col = columns + i0 * r * k
                                im2col(images, cnt, h, w, into: col)
                                GEMM.multiply(
                                    m: oc, n: l, k: k, .rows(wp, columns: k), .rows(col, columns: l),
                                    out, ldc: l, accumulate: false)
                            case .packed(.im2col(let a)):
                                im2col(images, cnt, h, w, into: local)
                                GEMM.multiply(a, n: l, .rows(local, columns: l), out, ldc: l, accumulate: false)
                            case .packed(.transposed(let b)):
                                // Y [OC, l] = (Colᵀ [l, K] · Wᵀ [K, OC])ᵀ
                                im2col(images, cnt, h, w, into: local)
                                let yt = UnsafeMutablePointer<Float>.allocate(capacity: l * oc)
                                defer { yt.deallocate() }
                                GEMM.multiply(m: l, .transposed(local, columns: l), b, columns: 0..<oc, yt, ldc: oc)
                                for j in 0..<l { for c in 0..<oc { out[c * l + j] = yt[j * oc + c] } }
                            }
                            for i in 0..<cnt {
                                for c in 0..<oc {
                                    epilogue.plane(
                                        c, out + c * l + i * r, oh, ow, into: yp.p + ((i0 + i) * oc + c) * yr)
                                }
                            }
                        }
                    }
                }
            }
            return y
        }

        /// `count` images [count, C, H, W] → Col [C·9, count·R], each image's R columns after the last's.
        @inline(__always)
        private func im2col(
            _ x: UnsafePointer<Float>, _ count: Int, _ h: Int, _ w: Int,
            into col: UnsafeMutablePointer<Float>
        ) {
            let (oh, ow) = outputSize(h, w), r = oh * ow
            for i in 0..<count { im2col(x + i * inChannels * h * w, h, w, oh, ow, col + i * r, count * r) }
        }

        /// One image [C, H, W] → its columns of Col [C·9, ·] (row stride `ld`), zeros outside the border.
        @inline(__always)
        private func im2col(
            _ x: UnsafePointer<Float>, _ h: Int, _ w: Int, _ oh: Int, _ ow: Int,
            _ col: UnsafeMutablePointer<Float>, _ ld: Int
        ) {
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
        func col2im(
            _ col: UnsafePointer<Float>, _ ld: Int, _ h: Int, _ w: Int, _ oh: Int, _ ow: Int,
            _ dx: UnsafeMutablePointer<Float>
        ) {
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
}
