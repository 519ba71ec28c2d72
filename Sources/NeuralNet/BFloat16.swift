import CKernels

/// Inference products in bfloat16 with float32 sums (`CKernels`): on a CPU with
/// AVX-512 BF16 one VDPBF16PS does twice the multiply-adds of a float32 FMA
/// (measured here: 234 vs 117 GFLOP/s on one core). Weights and inputs keep 8
/// bits of mantissa, the sums keep 24. Training stays float32.
public enum BFloat16 {
    /// Whether this CPU has the instructions.
    public static let available = fsk_bf16_available() == 1

    /// Used where available, unless `FASHIONSORT_PRECISION=float32` (for float32
    /// results on any CPU, and for comparing the two).
    public static let enabled = available && getenvString("FASHIONSORT_PRECISION") != "float32"

    /// A [m × k] rounded to bfloat16 and packed once (a layer's weights).
    struct PackedA: Sendable {
        let m: Int, k: Int
        let words: [UInt16]
        init(m: Int, k: Int, rows a: UnsafePointer<Float>, lda: Int) {
            self.m = m
            self.k = k
            words = [UInt16](unsafeUninitializedCapacity: fsk_bf16_packed_a_count(Int32(m), Int32(k))) { out, count in
                fsk_bf16_pack_a(Int32(m), Int32(k), a, Int32(lda), out.baseAddress!)
                count = out.count
            }
        }
    }

    /// UInt16s of scratch `multiply` needs for B [k × n].
    static func scratchCount(k: Int, n: Int) -> Int { fsk_bf16_scratch_count(Int32(k), Int32(n)) }

    /// C [m × n] = A · B, B [k × n] float32 rounded as it is packed: element (i, j)
    /// at `b[i·ldb + j]`, or at `b[j·ldb + i]` when `transposed`.
    static func multiply(
        _ a: PackedA, n: Int, _ b: UnsafePointer<Float>, ldb: Int, transposed: Bool = false,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, scratch: UnsafeMutablePointer<UInt16>
    ) {
        a.words.withUnsafeBufferPointer { w in
            fsk_bf16_gemm(
                Int32(a.m), Int32(n), Int32(a.k), w.baseAddress!, b, Int32(ldb), transposed ? 1 : 0,
                c, Int32(ldc), scratch)
        }
    }
}
