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
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            // A given as its transpose (stored k×m would need a copy; use strides on the m×k data instead).
            GEMM.multiply(m: m, n: n, k: k, .rows(ap.baseAddress!, columns: k), .rows(bp.baseAddress!, columns: n),
                          cp.baseAddress!, ldc: n, accumulate: true)
        }}}
        for i in 0..<m { for j in 0..<n {
            var s: Float = c0[i * n + j]
            for p in 0..<k { s += a[i * k + p] * b[p * n + j] }
            #expect(abs(s - c[i * n + j]) < 1e-3 * Float(k).squareRoot() + 1e-4)
        }}
        // Bᵀ view: treat b as an n×k row-major matrix and multiply by its transpose.
        var d = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in d.withUnsafeMutableBufferPointer { dp in
            GEMM.multiply(m: m, n: n, k: k, .rows(ap.baseAddress!, columns: k), .transposed(bp.baseAddress!, columns: k),
                          dp.baseAddress!, ldc: n, accumulate: false)
        }}}
        for i in 0..<m { for j in 0..<n {
            var s: Float = 0
            for p in 0..<k { s += a[i * k + p] * b[j * k + p] }
            #expect(abs(s - d[i * n + j]) < 1e-3 * Float(k).squareRoot() + 1e-4)
        }}
    }
}
