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
struct Winograd {
    let inChannels: Int, outChannels: Int
    /// U[ξ] as 16 packed [OC, C] matrices.
    let transformed: [GEMM.PackedA]

    /// weights [OC, C, 3, 3] → U[ξ][oc][c] = (G g Gᵀ)[ξ], G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
    init(weights w: UnsafePointer<Float>, outChannels oc: Int, inChannels c: Int) {
        inChannels = c
        outChannels = oc
        var u = [Float](repeating: 0, count: 16 * oc * c)
        for o in 0..<oc {
            for i in 0..<c {
                let g = w + (o * c + i) * 9
                // Gg [4, 3]: rows of g combined.
                var gg = [Float](repeating: 0, count: 12)
                for j in 0..<3 {
                    let g0 = g[j], g1 = g[3 + j], g2 = g[6 + j]
                    gg[j] = g0
                    gg[3 + j] = (g0 + g1 + g2) / 2
                    gg[6 + j] = (g0 - g1 + g2) / 2
                    gg[9 + j] = g2
                }
                // (Gg) Gᵀ [4, 4]: columns combined.
                for r in 0..<4 {
                    let a = gg[r * 3], b = gg[r * 3 + 1], d = gg[r * 3 + 2]
                    let row = [a, (a + b + d) / 2, (a - b + d) / 2, d]
                    for k in 0..<4 { u[((r * 4 + k) * oc + o) * c + i] = row[k] }
                }
            }
        }
        transformed = u.withUnsafeBufferPointer { p in
            (0..<16).map { GEMM.PackedA(m: oc, k: c, .rows(p.baseAddress! + $0 * oc * c, columns: c)) }
        }
    }

    /// Tiles of 2×2 outputs over an [oh, ow] map.
    static func tiles(_ oh: Int, _ ow: Int) -> (rows: Int, columns: Int) { ((oh + 1) / 2, (ow + 1) / 2) }

    /// Floats of scratch `convolve` needs for `count` images with `tiles` tiles each.
    func scratchSize(count: Int, tiles: Int) -> Int { 16 * (inChannels + outChannels) * count * tiles }

    /// `count` images x [count, C, h, w] → raw sums out [OC, count·oh·ow]: the layout
    /// of the im2col path, each image's [oh, ow] plane at `oc·ld + image·oh·ow`.
    func convolve(_ x: UnsafePointer<Float>, count: Int, h: Int, w: Int, padding: Int,
                  into out: UnsafeMutablePointer<Float>, ld: Int, scratch: UnsafeMutablePointer<Float>) {
        let oh = h + 2 * padding - 2, ow = w + 2 * padding - 2
        let (th, tw) = Self.tiles(oh, ow)
        let perImage = th * tw, t = count * perImage
        let c = inChannels, oc = outChannels
        let v = scratch, m = scratch + 16 * c * t
        // The zero-padded input plane [2·th + 2, 2·tw + 2] and the full-tile output plane [2·th, 2·tw].
        let pw = 2 * tw + 2, ph = 2 * th + 2
        let plane = UnsafeMutablePointer<Float>.allocate(capacity: ph * pw + 4 * perImage)
        defer { plane.deallocate() }
        let tilePlane = plane + ph * pw
        plane.update(repeating: 0, count: ph * pw)

        // V[ξ] [C, T] = Bᵀ d B, Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1].
        for img in 0..<count {
            for ch in 0..<c {
                let src = x + (img * c + ch) * h * w
                for y in 0..<h { Vector.copy(src + y * w, plane + (y + padding) * pw + padding, w) }
                for ty in 0..<th {
                    for tx in 0..<tw {
                        let p = UnsafeRawPointer(plane + 2 * ty * pw + 2 * tx)
                        let r0 = p.loadUnaligned(as: SIMD4<Float>.self)
                        let r1 = p.loadUnaligned(fromByteOffset: 4 * pw, as: SIMD4<Float>.self)
                        let r2 = p.loadUnaligned(fromByteOffset: 8 * pw, as: SIMD4<Float>.self)
                        let r3 = p.loadUnaligned(fromByteOffset: 12 * pw, as: SIMD4<Float>.self)
                        let rows = (r0 - r2, r1 + r2, r2 - r1, r1 - r3)
                        let dst = v + ch * t + img * perImage + ty * tw + tx, step = c * t
                        Self.store(rows.0, dst, step)
                        Self.store(rows.1, dst + 4 * step, step)
                        Self.store(rows.2, dst + 8 * step, step)
                        Self.store(rows.3, dst + 12 * step, step)
                    }
                }
            }
        }
        // M[ξ] [OC, T] = U[ξ] · V[ξ].
        for xi in 0..<16 {
            GEMM.multiply(transformed[xi], n: t, .rows(v + xi * c * t, columns: t), m + xi * oc * t, ldc: t, accumulate: false)
        }
        // Y = Aᵀ M A, Aᵀ = [1 1 1 0; 0 1 −1 −1], through a full-tile plane so odd maps need no edge cases.
        let step = oc * t
        for o in 0..<oc {
            for img in 0..<count {
                let mp = m + o * t + img * perImage
                for ty in 0..<th {
                    for tx in 0..<tw {
                        let s = mp + ty * tw + tx
                        @inline(__always) func row(_ r: Int) -> SIMD4<Float> {
                            SIMD4(s[4 * r * step], s[(4 * r + 1) * step], s[(4 * r + 2) * step], s[(4 * r + 3) * step])
                        }
                        let m1 = row(1), m2 = row(2)
                        let u0 = row(0) + m1 + m2, u1 = m1 - m2 - row(3)
                        let dst = tilePlane + 4 * ty * tw + 2 * tx
                        dst[0] = u0[0] + u0[1] + u0[2]
                        dst[1] = u0[1] - u0[2] - u0[3]
                        dst[2 * tw] = u1[0] + u1[1] + u1[2]
                        dst[2 * tw + 1] = u1[1] - u1[2] - u1[3]
                    }
                }
                let y = out + o * ld + img * oh * ow
                for r in 0..<oh { Vector.copy(tilePlane + r * 2 * tw, y + r * ow, ow) }
            }
        }
    }

    /// The column transform of one row of Bᵀd: (d B) = [a − c, b + c, c − b, b − e], four outputs `step` apart.
    @inline(__always)
    private static func store(_ r: SIMD4<Float>, _ dst: UnsafeMutablePointer<Float>, _ step: Int) {
        dst[0] = r[0] - r[2]
        dst[step] = r[1] + r[2]
        dst[2 * step] = r[2] - r[1]
        dst[3 * step] = r[1] - r[3]
    }
}
