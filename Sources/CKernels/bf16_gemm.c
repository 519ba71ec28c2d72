#include "CKernels.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define FSK_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

int fsk_bf16_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512bw") ? 1 : 0;
}
#else
int fsk_bf16_available(void) { return 0; }
#endif

#define MR FSK_BF16_MR
#define NR FSK_BF16_NR

static int pairs(int k) { return (k + 1) / 2; }

/* Round to nearest even, as VCVTNEPS2BF16 does (inputs here are finite). */
static uint16_t to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    u += 0x7FFF + ((u >> 16) & 1);
    return (uint16_t)(u >> 16);
}

size_t fsk_bf16_packed_a_count(int m, int k) {
    return (size_t)((m + MR - 1) / MR) * MR * pairs(k) * 2;
}

/* Panel layout: for each k pair p, MR 32-bit words (a[i][2p] low, a[i][2p+1] high),
 * the word a broadcast multiplies into a whole B vector. Missing rows and the odd
 * k's partner are zero. */
void fsk_bf16_pack_a(int m, int k, const float *a, int lda, uint16_t *out) {
    int kp = pairs(k);
    for (int i0 = 0; i0 < m; i0 += MR) {
        uint16_t *panel = out + (size_t)i0 * kp * 2;
        for (int p = 0; p < kp; p++) {
            for (int i = 0; i < MR; i++) {
                int row = i0 + i, k0 = 2 * p;
                uint16_t lo = 0, hi = 0;
                if (row < m) {
                    lo = to_bf16(a[(size_t)row * lda + k0]);
                    if (k0 + 1 < k) hi = to_bf16(a[(size_t)row * lda + k0 + 1]);
                }
                panel[(p * MR + i) * 2] = lo;
                panel[(p * MR + i) * 2 + 1] = hi;
            }
        }
    }
}

size_t fsk_bf16_scratch_count(int k, int n) {
    return (size_t)pairs(k) * ((n + NR - 1) / NR) * NR * 2;
}

#if defined(__x86_64__)
/* B [k × n] → panels of NR columns; within one, for each k pair p, 2·NR bf16:
 * column j's (b[2p][j], b[2p+1][j]) as one 32-bit word, the layout VDPBF16PS
 * pairs with A's words. Row-major B: two rows' vectors, interleaved. */
FSK_TARGET static void pack_b_rows(int n, int k, const float *b, int ldb, uint16_t *out) {
    const __m512i interleave = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                                23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    int kp = pairs(k);
    for (int j0 = 0; j0 < n; j0 += NR) {
        uint16_t *panel = out + (size_t)j0 * kp * 2;
        for (int half = 0; half < 2; half++) {
            int j = j0 + 16 * half, w = n - j;
            __mmask16 mask = w >= 16 ? 0xFFFF : w <= 0 ? 0 : (__mmask16)((1u << w) - 1);
            for (int p = 0; p < kp; p++) {
                const float *r0 = b + (size_t)(2 * p) * ldb + j;
                __m512 lo = _mm512_maskz_loadu_ps(mask, r0);
                __m512 hi = 2 * p + 1 < k ? _mm512_maskz_loadu_ps(mask, r0 + ldb) : _mm512_setzero_ps();
                __m512i both = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
                _mm512_storeu_si512(panel + (size_t)p * 2 * NR + 32 * half, _mm512_permutexvar_epi16(interleave, both));
            }
        }
    }
}

/* The same for B stored transposed (column j at b + j·ldb, a dense layer's
 * inputs): column j's pair is already adjacent, so eight 64-bit gathers give
 * eight columns' words in order. An odd k's last pair is made one by one. */
FSK_TARGET static void pack_b_columns(int n, int k, const float *b, int ldb, uint16_t *out) {
    int kp = pairs(k), full = k / 2;
    const __m256i lanes = _mm256_set_epi32(7 * ldb, 6 * ldb, 5 * ldb, 4 * ldb, 3 * ldb, 2 * ldb, ldb, 0);
    for (int j0 = 0; j0 < n; j0 += NR) {
        uint16_t *panel = out + (size_t)j0 * kp * 2;
        for (int q = 0; q < 2; q++) {
            int j = j0 + 16 * q, w = n - j;
            __mmask8 m0 = w >= 8 ? 0xFF : w <= 0 ? 0 : (__mmask8)((1u << w) - 1);
            __mmask8 m1 = w >= 16 ? 0xFF : w <= 8 ? 0 : (__mmask8)((1u << (w - 8)) - 1);
            const float *c0 = b + (size_t)j * ldb, *c1 = c0 + (size_t)8 * ldb;
            for (int p = 0; p < full; p++) {
                __m512d g0 = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), m0, lanes, c0 + 2 * p, 4);
                __m512d g1 = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), m1, lanes, c1 + 2 * p, 4);
                __m512i both = (__m512i)_mm512_cvtne2ps_pbh(_mm512_castpd_ps(g1), _mm512_castpd_ps(g0));
                _mm512_storeu_si512(panel + (size_t)p * 2 * NR + 32 * q, both);
            }
            if (full < kp) {
                for (int t = 0; t < 16; t++) {
                    uint16_t *word = panel + (size_t)full * 2 * NR + 32 * q + 2 * t;
                    word[0] = t < w ? to_bf16(b[(size_t)(j + t) * ldb + k - 1]) : 0;
                    word[1] = 0;
                }
            }
        }
    }
}

/* The 8×32 register tile: sixteen float32 accumulators over all k pairs; with
 * halves = 1 the left 8×16 only, for a last panel of 16 columns or fewer (4 of a
 * 196-tile Winograd group): half the work. Inlined with halves constant. */
FSK_TARGET static inline __attribute__((always_inline))
void tile(int halves, int kp, const uint16_t *a, const uint16_t *b, float *c, int ldc, int rows, int cols) {
    __m512 acc[MR][2];
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    const int32_t *aw = (const int32_t *)a;
    for (int p = 0; p < kp; p++) {
        for (int h = 0; h < halves; h++) {
            __m512bh bv = (__m512bh)_mm512_loadu_si512(b + (size_t)p * 2 * NR + 32 * h);
            for (int i = 0; i < MR; i++) {
                acc[i][h] = _mm512_dpbf16_ps(acc[i][h], (__m512bh)_mm512_set1_epi32(aw[p * MR + i]), bv);
            }
        }
    }
    for (int h = 0; h < halves; h++) {
        int w = cols - 16 * h;
        __mmask16 mask = w >= 16 ? 0xFFFF : w <= 0 ? 0 : (__mmask16)((1u << w) - 1);
        for (int i = 0; i < rows; i++) _mm512_mask_storeu_ps(c + (size_t)i * ldc + 16 * h, mask, acc[i][h]);
    }
}

FSK_TARGET void fsk_bf16_gemm(int m, int n, int k, const uint16_t *packed_a, const float *b, int ldb,
                              int b_transposed, float *c, int ldc, uint16_t *scratch) {
    int kp = pairs(k);
    if (b_transposed) pack_b_columns(n, k, b, ldb, scratch);
    else pack_b_rows(n, k, b, ldb, scratch);
    for (int j = 0; j < n; j += NR) {
        const uint16_t *bp = scratch + (size_t)j * kp * 2;
        int cols = n - j < NR ? n - j : NR;
        for (int i = 0; i < m; i += MR) {
            int rows = m - i < MR ? m - i : MR;
            const uint16_t *ap = packed_a + (size_t)i * kp * 2;
            if (cols <= 16) tile(1, kp, ap, bp, c + (size_t)i * ldc + j, ldc, rows, cols);
            else tile(2, kp, ap, bp, c + (size_t)i * ldc + j, ldc, rows, cols);
        }
    }
}
#else
/* Elsewhere fsk_bf16_available() is 0 and Swift never calls this; it still computes
 * the same product, one multiply-add at a time. */
static float from_bf16(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

void fsk_bf16_gemm(int m, int n, int k, const uint16_t *packed_a, const float *b, int ldb,
                   int b_transposed, float *c, int ldc, uint16_t *scratch) {
    (void)scratch;
    int kp = pairs(k);
    for (int i = 0; i < m; i++) {
        const uint16_t *panel = packed_a + (size_t)(i / MR) * MR * kp * 2;
        for (int j = 0; j < n; j++) {
            float sum = 0;
            for (int q = 0; q < k; q++) {
                float bq = b_transposed ? b[(size_t)j * ldb + q] : b[(size_t)q * ldb + j];
                sum += from_bf16(panel[((q / 2) * MR + i % MR) * 2 + q % 2]) * from_bf16(to_bf16(bq));
            }
            c[(size_t)i * ldc + j] = sum;
        }
    }
}
#endif
