/// Winograd F(2×2, 3×3) (Lavin & Gray 2016) for inference: each 2×2 block of
/// output pixels is computed from its 4×4 input patch with 16 multiplies per
/// channel pair instead of 36, so the products of a 3×3 convolution shrink
/// 2.25× and become 16 independent GEMMs:
///
///   V = Bᵀ d B (input patch d, 4×4)   U = G g Gᵀ (filter g, 3×3 → 4×4)
///   M[ξ] = U[ξ] · V[ξ]   [OC, T] = [OC, C] · [C, T] for each of the 16 ξ
///   Y = Aᵀ M A (2×2 outputs of each of the T tiles)
///
/// Only the forward pass at inference uses it; training keeps the im2col path,
/// whose columns its backward pass reuses. Results agree with im2col to float
/// rounding (about 1e-6 relative; tested).
struct Winograd: Sendable {
    let inChannels: Int, outChannels: Int
    /// U[ξ] as 16 packed [OC, C] matrices.
    let transformed: [GEMM.PackedA]
    /// The same in bfloat16, where the CPU has it.
    let reduced: [BFloat16.PackedA]?

    /// weights [OC, C, 3, 3] → U[ξ][oc][c] = (G g Gᵀ)[ξ], G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
    init(weights w: UnsafePointer<Float>, outChannels oc: Int, inChannels c: Int) {
        inChannels = c
        outChannels = oc
        var u = [Float](repeating: 0, count: 16 * oc * c)
        for o in 0..<oc {
            for i in 0..<c {
                let g = w + (o * c + i) * 9
                for r in 0..<4 {
                    // Row r of G g [4, 3], then that row times Gᵀ.
                    func gg(_ j: Int) -> Float {
                        let g0 = g[j], g1 = g[3 + j], g2 = g[6 + j]
                        switch r {
                        case 0: return g0
                        case 1: return (g0 + g1 + g2) / 2
                        case 2: return (g0 - g1 + g2) / 2
                        default: return g2
                        }
                    }
                    let a = gg(0), b = gg(1), d = gg(2)
                    let base = (r * 4 * oc + o) * c + i, step = oc * c
                    u[base] = a
                    u[base + step] = (a + b + d) / 2
                    u[base + 2 * step] = (a - b + d) / 2
                    u[base + 3 * step] = d
                }
            }
        }
        transformed = u.withUnsafeBufferPointer { p in
            (0..<16).map { GEMM.PackedA(m: oc, k: c, .rows(p.baseAddress! + $0 * oc * c, columns: c)) }
        }
        reduced =
            !BFloat16.available
            ? nil
            : u.withUnsafeBufferPointer { p in
                (0..<16).map { BFloat16.PackedA(m: oc, k: c, rows: p.baseAddress! + $0 * oc * c, lda: c) }
            }
    }

    /// Tiles of 2×2 outputs over an [oh, ow] map.
    static func tiles(_ oh: Int, _ ow: Int) -> (rows: Int, columns: Int) { ((oh + 1) / 2, (ow + 1) / 2) }

    /// Floats of scratch `convolve` needs for `count` images with `tiles` tiles each.
    /// (Slack: 8 floats per V row, and 16 for the output transform, which reads whole vectors past the last tile.)
    func scratchSize(count: Int, tiles: Int) -> Int { 16 * (inChannels + outChannels) * count * tiles + 16 * 8 + 16 }

    /// `count` images x [count, C, h, w] → raw sums out [OC, count·oh·ow]: the layout
    /// of the im2col path, each image's [oh, ow] plane at `oc·ld + image·oh·ow`.
    /// `bfloat16` picks the reduced-precision products where the CPU has them.
    func convolve(
        _ x: UnsafePointer<Float>, count: Int, h: Int, w: Int, padding: Int,
        into out: UnsafeMutablePointer<Float>, ld: Int, scratch: UnsafeMutablePointer<Float>,
        bfloat16: Bool = BFloat16.enabled
    ) {
        let oh = h + 2 * padding - 2, ow = w + 2 * padding - 2
        let (th, tw) = Self.tiles(oh, ow)
        let perImage = th * tw, t = count * perImage
        let c = inChannels, oc = outChannels
        // V[ξ] rows are `vs` apart: 8 floats of slack after each take the spill of
        // the last 8-wide store below.
        let vs = c * t + 8
        let v = scratch, m = scratch + 16 * vs
        // The zero-padded input plane [2·th + 2, 2·tw + 2] split into its even and
        // odd columns ([2·th + 2, es] each), so the 2-apart patches of a row of
        // tiles become contiguous vectors; and the outputs per tile [4, T + 16].
        let ph = 2 * th + 2, es = (tw + 7) / 8 * 8 + 8
        let even = UnsafeMutablePointer<Float>.allocate(capacity: 2 * ph * es + 4 * (t + 16))
        defer { even.deallocate() }
        let odd = even + ph * es, quad = odd + ph * es
        even.update(repeating: 0, count: 2 * ph * es)

        // V[ξ] [C, T] = Bᵀ d B, Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], eight
        // tiles of a row at a time. A store past a row's end lands on tiles
        // written later (channels outermost) or in the slack.
        for ch in 0..<c {
            for img in 0..<count {
                let src = x + (img * c + ch) * h * w
                for y in 0..<h {
                    Self.split(src + y * w, w, padding, even: even + (y + padding) * es, odd: odd + (y + padding) * es)
                }
                let dst = v + ch * t + img * perImage
                for ty in 0..<th {
                    for tx in stride(from: 0, to: tw, by: 8) {
                        // Row r of the patches, times B: [a − c, b + c, c − b, b − e] with
                        // a, b, c, e = columns 2tx … 2tx + 3.
                        @inline(__always) func row(_ r: Int) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
                        {
                            let e = UnsafeRawPointer(even + (2 * ty + r) * es + tx),
                                o = UnsafeRawPointer(odd + (2 * ty + r) * es + tx)
                            let a = e.loadUnaligned(as: SIMD8<Float>.self), b = o.loadUnaligned(as: SIMD8<Float>.self)
                            let c = e.loadUnaligned(fromByteOffset: 4, as: SIMD8<Float>.self)
                            let d = o.loadUnaligned(fromByteOffset: 4, as: SIMD8<Float>.self)
                            return (a - c, b + c, c - b, b - d)
                        }
                        let d0 = row(0), d1 = row(1), d2 = row(2), d3 = row(3)
                        @inline(__always) func put(_ xi: Int, _ value: SIMD8<Float>) {
                            UnsafeMutableRawPointer(dst + xi * vs + ty * tw + tx).storeBytes(
                                of: value, as: SIMD8<Float>.self)
                        }
                        // Bᵀ on the rows: [d0 − d2, d1 + d2, d2 − d1, d1 − d3].
                        put(0, d0.0 - d2.0); put(1, d0.1 - d2.1); put(2, d0.2 - d2.2); put(3, d0.3 - d2.3)
                        put(4, d1.0 + d2.0); put(5, d1.1 + d2.1); put(6, d1.2 + d2.2); put(7, d1.3 + d2.3)
                        put(8, d2.0 - d1.0); put(9, d2.1 - d1.1); put(10, d2.2 - d1.2); put(11, d2.3 - d1.3)
                        put(12, d1.0 - d3.0); put(13, d1.1 - d3.1); put(14, d1.2 - d3.2); put(15, d1.3 - d3.3)
                    }
                }
            }
        }
        // M[ξ] [OC, T] = U[ξ] · V[ξ].
        if let reduced, bfloat16 {
            let packing = UnsafeMutablePointer<UInt16>.allocate(capacity: BFloat16.scratchCount(k: c, n: t))
            defer { packing.deallocate() }
            for xi in 0..<16 {
                BFloat16.multiply(reduced[xi], n: t, v + xi * vs, ldb: t, m + xi * oc * t, ldc: t, scratch: packing)
            }
        } else {
            for xi in 0..<16 {
                GEMM.multiply(
                    transformed[xi], n: t, .rows(v + xi * vs, columns: t), m + xi * oc * t, ldc: t, accumulate: false)
            }
        }
        // Y = Aᵀ M A, Aᵀ = [1 1 1 0; 0 1 −1 −1], 16 tiles at a time along each
        // channel's contiguous row of the M[ξ], into quad: the [4, T] outputs
        // y00 y01 y10 y11 of every tile, then placed on the [oh, ow] planes.
        let q = t + 16, mstep = oc * t
        for o in 0..<oc {
            let row = UnsafeRawPointer(m + o * t)
            for j in stride(from: 0, to: t, by: 16) {
                @inline(__always) func at(_ xi: Int) -> SIMD16<Float> {
                    row.loadUnaligned(fromByteOffset: 4 * (xi * mstep + j), as: SIMD16<Float>.self)
                }
                let (a1, a2, a3) = (at(4), at(8), at(12)), (b1, b2, b3) = (at(5), at(9), at(13))
                let (c1, c2, c3) = (at(6), at(10), at(14)), (d1, d2, d3) = (at(7), at(11), at(15))
                let u00 = at(0) + a1 + a2, u01 = at(1) + b1 + b2, u02 = at(2) + c1 + c2, u03 = at(3) + d1 + d2
                let u10 = a1 - a2 - a3, u11 = b1 - b2 - b3, u12 = c1 - c2 - c3, u13 = d1 - d2 - d3
                let out = UnsafeMutableRawPointer(quad + j)
                out.storeBytes(of: u00 + u01 + u02, as: SIMD16<Float>.self)
                out.storeBytes(of: u01 - u02 - u03, toByteOffset: 4 * q, as: SIMD16<Float>.self)
                out.storeBytes(of: u10 + u11 + u12, toByteOffset: 8 * q, as: SIMD16<Float>.self)
                out.storeBytes(of: u11 - u12 - u13, toByteOffset: 12 * q, as: SIMD16<Float>.self)
            }
            for img in 0..<count {
                let y = out + o * ld + img * oh * ow
                for ty in 0..<th {
                    let y0 = 2 * ty, bottom = y0 + 1 < oh
                    for tx in 0..<tw {
                        let i = img * perImage + ty * tw + tx, x0 = 2 * tx, right = x0 + 1 < ow
                        y[y0 * ow + x0] = quad[i]
                        if right { y[y0 * ow + x0 + 1] = quad[q + i] }
                        if bottom {
                            y[(y0 + 1) * ow + x0] = quad[2 * q + i]
                            if right { y[(y0 + 1) * ow + x0 + 1] = quad[3 * q + i] }
                        }
                    }
                }
            }
        }
    }

    /// One input row into the even and odd columns of its padded row (column =
    /// index + padding, padding 0 or 1), vectors at a time: a plain loop
    /// compiled to scatter stores, a third of the transform's time, and
    /// `evenHalf` was not inlined.
    @inline(__always)
    private static func split(
        _ src: UnsafePointer<Float>, _ w: Int, _ padding: Int,
        even: UnsafeMutablePointer<Float>, odd: UnsafeMutablePointer<Float>
    ) {
        // src[2k] lands in column 2k + padding: even[k] without padding, odd[k] with it.
        let first = padding == 0 ? even : odd, second = padding == 0 ? odd : even + 1
        var i = 0
        while i + 16 <= w {
            let v = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(first + i / 2).storeBytes(
                of: SIMD8(v[0], v[2], v[4], v[6], v[8], v[10], v[12], v[14]), as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(second + i / 2).storeBytes(
                of: SIMD8(v[1], v[3], v[5], v[7], v[9], v[11], v[13], v[15]), as: SIMD8<Float>.self)
            i += 16
        }
        if i + 8 <= w {
            let v = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(first + i / 2).storeBytes(of: SIMD4(v[0], v[2], v[4], v[6]), as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(second + i / 2).storeBytes(of: SIMD4(v[1], v[3], v[5], v[7]), as: SIMD4<Float>.self)
            i += 8
        }
        while i + 2 <= w { first[i / 2] = src[i]; second[i / 2] = src[i + 1]; i += 2 }
        if i < w { first[i / 2] = src[i] }
    }
}
