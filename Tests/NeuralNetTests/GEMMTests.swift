import Testing
@testable import NeuralNet

@Suite struct GEMMTests {
    /// Odd sizes exercise every edge tile; strided views exercise transposes.
    @Test(arguments: [(1, 1, 1), (7, 17, 5), (13, 33, 300), (100, 50, 600), (6, 16, 256)])
    func matchesNaive(m: Int, n: Int, k: Int) {
        var rng = RNG(seed: UInt64(m * n * k))
        let a = (0..<m * k).map { _ in rng.normal() }, b = (0..<k * n).map { _ in rng.normal() }
        var c = (0..<m * n).map { _ in rng.normal() }
        let c0 = c
        /// C (+)= A·B for one view of b, against the naive sum; `at` reads B[p, j].
        func check(
            _ view: (UnsafePointer<Float>) -> GEMM.Operand, into out: inout [Float], start: [Float],
            accumulate: Bool, at: (Int, Int) -> Int
        ) {
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    out.withUnsafeMutableBufferPointer { cp in
                        GEMM.multiply(
                            m: m, n: n, k: k, .rows(ap.baseAddress!, columns: k), view(bp.baseAddress!),
                            cp.baseAddress!, ldc: n, accumulate: accumulate)
                    }
                }
            }
            for i in 0..<m {
                for j in 0..<n {
                    var s: Float = start[i * n + j]
                    for p in 0..<k { s += a[i * k + p] * b[at(p, j)] }
                    #expect(abs(s - out[i * n + j]) < 1e-3 * Float(k).squareRoot() + 1e-4)
                }
            }
        }
        check({ .rows($0, columns: n) }, into: &c, start: c0, accumulate: true) { p, j in p * n + j }
        // Bᵀ view: treat b as an n×k row-major matrix and multiply by its transpose.
        var d = [Float](repeating: 0, count: m * n)
        check({ .transposed($0, columns: k) }, into: &d, start: d, accumulate: false) { p, j in j * k + p }
    }

    /// Packed A (a layer's weights) and packed B (the transposed weights of a
    /// narrow map), with k-blocks longer than one packing block.
    @Test(arguments: [(64, 121, 288), (128, 9, 576), (13, 5, 300), (7, 40, 9)])
    func packedMatchesNaive(m: Int, n: Int, k: Int) {
        var rng = RNG(seed: UInt64(m + n + k))
        let a = (0..<m * k).map { _ in rng.normal() }, b = (0..<k * n).map { _ in rng.normal() }
        var c = [Float](repeating: .nan, count: m * n), d = c
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    let packed = GEMM.PackedA(m: m, k: k, .rows(ap.baseAddress!, columns: k))
                    GEMM.multiply(
                        packed, n: n, .rows(bp.baseAddress!, columns: n), cp.baseAddress!, ldc: n, accumulate: false)
                }
                // B packed instead, in two column ranges (a narrow map's transposed product).
                d.withUnsafeMutableBufferPointer { dp in
                    let packed = GEMM.PackedB(k: k, n: n, .rows(bp.baseAddress!, columns: n))
                    let half = (n / 2 + 15) / 16 * 16
                    GEMM.multiply(
                        m: m, .rows(ap.baseAddress!, columns: k), packed, columns: 0..<min(half, n), dp.baseAddress!,
                        ldc: n)
                    if half < n {
                        GEMM.multiply(
                            m: m, .rows(ap.baseAddress!, columns: k), packed, columns: half..<n, dp.baseAddress!, ldc: n
                        )
                    }
                }
            }
        }
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for p in 0..<k { s += a[i * k + p] * b[p * n + j] }
                #expect(abs(s - c[i * n + j]) < 1e-3 * Float(k).squareRoot() + 1e-4)
                #expect(abs(s - d[i * n + j]) < 1e-3 * Float(k).squareRoot() + 1e-4)
            }
        }
    }
}

@Suite struct ParallelTests {
    /// Every index visited exactly once, also when a slice body splits again
    /// (the pool is busy then, and the inner call must still run all parts).
    @Test func nestedSlicesVisitEveryIndexOnce() {
        var hits = [Int](repeating: 0, count: 1000)
        hits.withUnsafeMutableBufferPointer { h in
            let p = UncheckedSendable(h.baseAddress!)
            for _ in 0..<50 {
                Parallel.slices(10) { _, outer in
                    for o in outer {
                        Parallel.slices(100) { _, inner in for i in inner { p.value[o * 100 + i] += 1 } }
                    }
                }
            }
        }
        #expect(hits.allSatisfy { $0 == 50 })
    }
}
