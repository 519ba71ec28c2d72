#ifndef FSK_CKERNELS_H
#define FSK_CKERNELS_H
#include <stdint.h>
#include <stddef.h>

/* Matrix products in bfloat16 with float32 sums, for inference on CPUs with
 * AVX-512 BF16 (VDPBF16PS multiplies twice the pairs per cycle of a float32
 * FMA). Swift has no intrinsic for it, hence C. Nothing here allocates. */

/* 1 when this CPU runs the kernels below, else 0 (then they must not be called). */
int fsk_bf16_available(void);

/* Rows of A per packed panel. */
#define FSK_BF16_MR 8
/* Columns of B per packed panel. */
#define FSK_BF16_NR 32

/* uint16 elements `fsk_bf16_pack_a` writes for A [m × k]. */
size_t fsk_bf16_packed_a_count(int m, int k);
/* A [m × k] (row stride lda) → panels of 8 rows, k in pairs, rounded to bfloat16. */
void fsk_bf16_pack_a(int m, int k, const float *a, int lda, uint16_t *out);

/* uint16 elements of scratch `fsk_bf16_gemm` needs for B [k × n]. */
size_t fsk_bf16_scratch_count(int k, int n);
/* C [m × n] (row stride ldc) = A · B, A packed by fsk_bf16_pack_a, B [k × n] float32
 * rounded to bfloat16 into scratch as it is packed: element (i, j) at b[i·ldb + j],
 * or at b[j·ldb + i] when b_transposed. */
void fsk_bf16_gemm(int m, int n, int k, const uint16_t *packed_a, const float *b, int ldb,
                   int b_transposed, float *c, int ldc, uint16_t *scratch);
#endif
