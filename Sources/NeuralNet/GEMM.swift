/// Single-precision matrix multiply, `C = A·B (+ C)`, in the BLIS style:
/// blocks of B and A are packed into contiguous panels, then a 6×16 register
/// tile (six `SIMD16<Float>` accumulators, 12 AVX2 registers) runs over K.
/// Operands are strided views, so transposes cost nothing beyond packing.
public enum GEMM {
    /// A strided matrix view: element (i, j) is `base[i * rowStride + j * colStride]`.
    public struct Operand {
        public let base: UnsafePointer<Float>
        public let rowStride: Int
        public let colStride: Int
        public init(_ base: UnsafePointer<Float>, rowStride: Int, colStride: Int) {
            self.base = base; self.rowStride = rowStride; self.colStride = colStride
        }
        /// A row-major matrix with `columns` columns.
        public static func rows(_ base: UnsafePointer<Float>, columns: Int) -> Operand {
            Operand(base, rowStride: columns, colStride: 1)
        }
        /// The transpose of a row-major matrix with `columns` columns.
        public static func transposed(_ base: UnsafePointer<Float>, columns: Int) -> Operand {
            Operand(base, rowStride: 1, colStride: columns)
        }
    }

    static let mr = 6, nr = 16
    static let kc = 256, mc = 96, nc = 2048

    /// A packed once and reused: a layer's weights at inference time, so a
    /// batch-1 forward pass does not repack every filter on every call.
    public struct PackedA: Sendable {
        public let m: Int, k: Int
        let panels: [Float]
        public init(m: Int, k: Int, _ a: Operand) {
            self.m = m
            self.k = k
            // mc is a multiple of mr, so row blocks pack contiguously.
            panels = packWhole(k: k, width: roundUp(m, mr)) { pc, kb, out in
                for ic in stride(from: 0, to: m, by: mc) {
                    packA(a, row: ic, col: pc, mb: min(mc, m - ic), kb: kb, into: out + ic * kb)
                }
            }
        }
    }

    /// A whole operand packed once, k-block after k-block, `width` packed rows
    /// (or columns) per k: the layout `multiply` reads prepacked panels in.
    static func packWhole(
        k: Int, width: Int, _ pack: (_ pc: Int, _ kb: Int, _ out: UnsafeMutablePointer<Float>) -> Void
    ) -> [Float] {
        var out = [Float](repeating: 0, count: width * k)
        out.withUnsafeMutableBufferPointer { o in
            for pc in stride(from: 0, to: k, by: kc) { pack(pc, min(kc, k - pc), o.baseAddress! + pc * width) }
        }
        return out
    }

    /// Uninitialised packing space, 64-byte aligned for the kernel's vector loads.
    static func packingBuffer(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64).bindMemory(
            to: Float.self, capacity: count)
    }

    /// `C[m×n] = A·B (+ C)` with A already packed.
    public static func multiply(
        _ a: PackedA, n: Int, _ b: Operand, _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        multiply(a, rows: 0..<a.m, n: n, b, c, ldc: ldc, accumulate: accumulate)
    }

    /// Rows `rows` of `C = A·B` (C points at row 0); `rows` starts on a 6-row panel.
    static func multiply(
        _ a: PackedA, rows: Range<Int>, n: Int, _ b: Operand, _ c: UnsafeMutablePointer<Float>,
        ldc: Int, accumulate: Bool
    ) {
        a.panels.withUnsafeBufferPointer { p in
            multiply(
                m: rows.count, n: n, k: a.k, Operand(p.baseAddress!, rowStride: 0, colStride: 0), b,
                c + rows.lowerBound * ldc, ldc: ldc, accumulate: accumulate,
                prepacked: Prepacked(base: p.baseAddress!, rows: roundUp(a.m, mr), first: rows.lowerBound))
        }
    }

    /// Where packed panels of A start: `rows` rows per k-block, beginning at row `first`.
    struct Prepacked {
        let base: UnsafePointer<Float>, rows: Int, first: Int
    }

    /// `C[m×n]` (row stride `ldc`) `= A[m×k]·B[k×n]`, plus the old C when `accumulate`.
    public static func multiply(
        m: Int, n: Int, k: Int, _ a: Operand, _ b: Operand,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        multiply(m: m, n: n, k: k, a, b, c, ldc: ldc, accumulate: accumulate, prepacked: nil)
    }

    static func multiply(
        m: Int, n: Int, k: Int, _ a: Operand, _ b: Operand,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, prepacked: Prepacked?
    ) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        let bCap = min(kc, k) * roundUp(min(nc, n), nr)
        let aCap = prepacked == nil ? min(kc, k) * roundUp(min(mc, m), mr) : 0
        let bPack = packingBuffer(bCap), aPack = packingBuffer(aCap)
        defer { bPack.deallocate(); aPack.deallocate() }
        var tile = emptyTile

        for jc in stride(from: 0, to: n, by: nc) {
            let nb = min(nc, n - jc)
            for pc in stride(from: 0, to: k, by: kc) {
                let kb = min(kc, k - pc)
                let add = accumulate || pc > 0
                packB(b, row: pc, col: jc, kb: kb, nb: nb, into: bPack)
                for ic in stride(from: 0, to: m, by: mc) {
                    let mb = min(mc, m - ic)
                    let aPack =
                        prepacked.map { UnsafeMutablePointer(mutating: $0.base) + pc * $0.rows + ($0.first + ic) * kb }
                        ?? aPack
                    if prepacked == nil { packA(a, row: ic, col: pc, mb: mb, kb: kb, into: aPack) }
                    for jr in stride(from: 0, to: nb, by: nr) {
                        let nrr = min(nr, nb - jr)
                        let bp = bPack + jr * kb
                        for ir in stride(from: 0, to: mb, by: mr) {
                            let mrr = min(mr, mb - ir)
                            let cp = c + (ic + ir) * ldc + jc + jr
                            tileStep(kb, aPack + ir * kb, bp, cp, ldc, mrr, nrr, add, &tile)
                        }
                    }
                }
            }
        }
    }

    typealias Tile = (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)
    static let emptyTile: Tile = (.zero, .zero, .zero, .zero, .zero, .zero)

    /// One register tile of C; an edge tile (fewer than 6 rows or 16 columns) goes through `tile`.
    @inline(__always)
    static func tileStep(
        _ kb: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        _ ldc: Int, _ rows: Int, _ cols: Int, _ add: Bool, _ tile: inout Tile
    ) {
        if rows == mr && cols == nr { kernel(kb, a, b, c, ldc, add); return }
        withUnsafeMutableBytes(of: &tile) { raw in
            let t = raw.baseAddress!.assumingMemoryBound(to: Float.self)
            kernel(kb, a, b, t, nr, false)
            for i in 0..<rows {
                for j in 0..<cols { c[i * ldc + j] = t[i * nr + j] + (add ? c[i * ldc + j] : 0) }
            }
        }
    }

    /// B packed once, as 16-column panels per k-block: a layer's transposed
    /// weights when the output map is narrower than one panel (a 3×3 map at
    /// batch 1 filled 9 of every 16 columns the other way round).
    public struct PackedB: Sendable {
        public let k: Int, n: Int
        let panels: [Float]
        public init(k: Int, n: Int, _ b: Operand) {
            self.k = k
            self.n = n
            panels = packWhole(k: k, width: roundUp(n, nr)) { pc, kb, out in
                packB(b, row: pc, col: 0, kb: kb, nb: n, into: out)
            }
        }
    }

    /// Columns `columns` of `C[m×n] = A·B` with B packed.
    static func multiply(
        m: Int, _ a: Operand, _ b: PackedB, columns: Range<Int>, _ c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let k = b.k, width = roundUp(b.n, nr)
        let aPack = packingBuffer(min(kc, k) * roundUp(m, mr))
        defer { aPack.deallocate() }
        var tile = emptyTile
        b.panels.withUnsafeBufferPointer { bp in
            for pc in stride(from: 0, to: k, by: kc) {
                let kb = min(kc, k - pc)
                packA(a, row: 0, col: pc, mb: m, kb: kb, into: aPack)
                for j in stride(from: columns.lowerBound, to: columns.upperBound, by: nr) {
                    let panel = bp.baseAddress! + pc * width + j * kb
                    for i in stride(from: 0, to: m, by: mr) {
                        tileStep(
                            kb, aPack + i * kb, panel, c + i * ldc + j, ldc, min(mr, m - i),
                            min(nr, columns.upperBound - j), pc > 0, &tile)
                    }
                }
            }
        }
    }

    @inline(__always) static func roundUp(_ x: Int, _ m: Int) -> Int { (x + m - 1) / m * m }

    /// Packs `B[row..<row+kb, col..<col+nb]` as panels of 16 columns, each k-major, zero-padded.
    static func packB(_ b: Operand, row: Int, col: Int, kb: Int, nb: Int, into out: UnsafeMutablePointer<Float>) {
        for j0 in stride(from: 0, to: nb, by: nr) {
            let w = min(nr, nb - j0)
            let o = out + j0 * kb
            let src = b.base + row * b.rowStride + (col + j0) * b.colStride
            if b.colStride == 1 && w == nr {
                // One 64-byte vector per row: a memmove call per 16 floats cost more than the copy.
                let from = UnsafeRawPointer(src), to = UnsafeMutableRawPointer(o)
                for p in 0..<kb {
                    to.storeBytes(
                        of: from.loadUnaligned(fromByteOffset: 4 * p * b.rowStride, as: SIMD16<Float>.self),
                        toByteOffset: 64 * p, as: SIMD16<Float>.self)
                }
            } else {
                // Column by column, so a transposed operand is read contiguously.
                for j in 0..<nr {
                    if j < w {
                        let s = src + j * b.colStride
                        for p in 0..<kb { o[p * nr + j] = s[p * b.rowStride] }
                    } else {
                        for p in 0..<kb { o[p * nr + j] = 0 }
                    }
                }
            }
        }
    }

    /// Packs `A[row..<row+mb, col..<col+kb]` as panels of 6 rows, each k-major, zero-padded.
    static func packA(_ a: Operand, row: Int, col: Int, mb: Int, kb: Int, into out: UnsafeMutablePointer<Float>) {
        for i0 in stride(from: 0, to: mb, by: mr) {
            let h = min(mr, mb - i0)
            let o = out + i0 * kb
            let src = a.base + (row + i0) * a.rowStride + col * a.colStride
            if a.rowStride == 1 && h == mr {
                for p in 0..<kb {
                    let s = src + p * a.colStride, d = o + p * mr
                    d[0] = s[0]; d[1] = s[1]; d[2] = s[2]; d[3] = s[3]; d[4] = s[4]; d[5] = s[5]
                }
            } else {
                // Row by row, so a row-major operand is read contiguously.
                for i in 0..<mr {
                    if i < h {
                        let s = src + i * a.rowStride
                        for p in 0..<kb { o[p * mr + i] = s[p * a.colStride] }
                    } else {
                        for p in 0..<kb { o[p * mr + i] = 0 }
                    }
                }
            }
        }
    }

    /// The 6×16 register tile: `C[6×16] = Apanel·Bpanel (+ C)`.
    @inline(__always)
    static func kernel(
        _ kb: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ add: Bool
    ) {
        var c0 = SIMD16<Float>(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0
        var a = a, b = UnsafeRawPointer(b)
        for _ in 0..<kb {
            let bv = b.load(as: SIMD16<Float>.self)
            c0 = c0.addingProduct(SIMD16(repeating: a[0]), bv)
            c1 = c1.addingProduct(SIMD16(repeating: a[1]), bv)
            c2 = c2.addingProduct(SIMD16(repeating: a[2]), bv)
            c3 = c3.addingProduct(SIMD16(repeating: a[3]), bv)
            c4 = c4.addingProduct(SIMD16(repeating: a[4]), bv)
            c5 = c5.addingProduct(SIMD16(repeating: a[5]), bv)
            a += 6; b += 64
        }
        let r = UnsafeMutableRawPointer(c)
        let s = ldc * 4
        if add {
            c0 += r.loadUnaligned(as: SIMD16<Float>.self)
            c1 += r.loadUnaligned(fromByteOffset: s, as: SIMD16<Float>.self)
            c2 += r.loadUnaligned(fromByteOffset: 2 * s, as: SIMD16<Float>.self)
            c3 += r.loadUnaligned(fromByteOffset: 3 * s, as: SIMD16<Float>.self)
            c4 += r.loadUnaligned(fromByteOffset: 4 * s, as: SIMD16<Float>.self)
            c5 += r.loadUnaligned(fromByteOffset: 5 * s, as: SIMD16<Float>.self)
        }
        r.storeBytes(of: c0, as: SIMD16<Float>.self)
        r.storeBytes(of: c1, toByteOffset: s, as: SIMD16<Float>.self)
        r.storeBytes(of: c2, toByteOffset: 2 * s, as: SIMD16<Float>.self)
        r.storeBytes(of: c3, toByteOffset: 3 * s, as: SIMD16<Float>.self)
        r.storeBytes(of: c4, toByteOffset: 4 * s, as: SIMD16<Float>.self)
        r.storeBytes(of: c5, toByteOffset: 5 * s, as: SIMD16<Float>.self)
    }
}
