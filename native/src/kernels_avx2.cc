// AVX2 + FMA kernels. This translation unit alone is compiled with -mavx2 -mfma (see
// binding.gyp); addon.cc calls into it only after checking the CPU at runtime.
#include <immintrin.h>

#include <cmath>

#include "gemm.h"

namespace {

constexpr int64_t MR = 6;   // 6 × 16 tile: 12 ymm accumulators + 2 for B + 1 broadcast
constexpr int64_t NR = 16;
constexpr int64_t MC = 144;
constexpr int64_t KC = 256;
constexpr int64_t NC = 3072;

#define NNLAB_ALWAYS_INLINE inline __attribute__((always_inline))

NNLAB_ALWAYS_INLINE void micro_full(int64_t kc, const float* A, const float* B, float* C, int64_t ldc,
                                    bool add) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();

#define NNLAB_STEP(off_a, off_b)                                  \
  {                                                               \
    const __m256 b0 = _mm256_load_ps(B + (off_b));                \
    const __m256 b1 = _mm256_load_ps(B + (off_b) + 8);            \
    __m256 a = _mm256_broadcast_ss(A + (off_a) + 0);              \
    c00 = _mm256_fmadd_ps(a, b0, c00);                            \
    c01 = _mm256_fmadd_ps(a, b1, c01);                            \
    a = _mm256_broadcast_ss(A + (off_a) + 1);                     \
    c10 = _mm256_fmadd_ps(a, b0, c10);                            \
    c11 = _mm256_fmadd_ps(a, b1, c11);                            \
    a = _mm256_broadcast_ss(A + (off_a) + 2);                     \
    c20 = _mm256_fmadd_ps(a, b0, c20);                            \
    c21 = _mm256_fmadd_ps(a, b1, c21);                            \
    a = _mm256_broadcast_ss(A + (off_a) + 3);                     \
    c30 = _mm256_fmadd_ps(a, b0, c30);                            \
    c31 = _mm256_fmadd_ps(a, b1, c31);                            \
    a = _mm256_broadcast_ss(A + (off_a) + 4);                     \
    c40 = _mm256_fmadd_ps(a, b0, c40);                            \
    c41 = _mm256_fmadd_ps(a, b1, c41);                            \
    a = _mm256_broadcast_ss(A + (off_a) + 5);                     \
    c50 = _mm256_fmadd_ps(a, b0, c50);                            \
    c51 = _mm256_fmadd_ps(a, b1, c51);                            \
  }

  int64_t p = 0;
  for (; p + 4 <= kc; p += 4) {
    _mm_prefetch(reinterpret_cast<const char*>(B + 16 * 8), _MM_HINT_T0);
    NNLAB_STEP(0, 0);
    NNLAB_STEP(6, 16);
    NNLAB_STEP(12, 32);
    NNLAB_STEP(18, 48);
    A += 24;
    B += 64;
  }
  for (; p < kc; ++p) {
    NNLAB_STEP(0, 0);
    A += 6;
    B += 16;
  }
#undef NNLAB_STEP

#define NNLAB_STORE(r, lo, hi)                                                 \
  {                                                                            \
    float* row = C + (r) * ldc;                                                \
    if (add) {                                                                 \
      lo = _mm256_add_ps(lo, _mm256_loadu_ps(row));                            \
      hi = _mm256_add_ps(hi, _mm256_loadu_ps(row + 8));                        \
    }                                                                          \
    _mm256_storeu_ps(row, lo);                                                 \
    _mm256_storeu_ps(row + 8, hi);                                             \
  }
  NNLAB_STORE(0, c00, c01);
  NNLAB_STORE(1, c10, c11);
  NNLAB_STORE(2, c20, c21);
  NNLAB_STORE(3, c30, c31);
  NNLAB_STORE(4, c40, c41);
  NNLAB_STORE(5, c50, c51);
#undef NNLAB_STORE
}

// In-register transpose of an 8×8 block: rows r0..r7 in, columns out (in place).
NNLAB_ALWAYS_INLINE void transpose8(__m256& r0, __m256& r1, __m256& r2, __m256& r3, __m256& r4, __m256& r5,
                                    __m256& r6, __m256& r7) {
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  r0 = _mm256_permute2f128_ps(s0, s4, 0x20);
  r1 = _mm256_permute2f128_ps(s1, s5, 0x20);
  r2 = _mm256_permute2f128_ps(s2, s6, 0x20);
  r3 = _mm256_permute2f128_ps(s3, s7, 0x20);
  r4 = _mm256_permute2f128_ps(s0, s4, 0x31);
  r5 = _mm256_permute2f128_ps(s1, s5, 0x31);
  r6 = _mm256_permute2f128_ps(s2, s6, 0x31);
  r7 = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// Packs a full 16-column panel of a transposed B: column c of op(B) is the contiguous run
// b[c·ldb + p], p < kc. Written as dst[p·16 + c].
void pack_b_trans_full(const float* b, int64_t ldb, int64_t kc, float* dst) {
  int64_t p = 0;
  for (; p + 8 <= kc; p += 8) {
    for (int64_t half = 0; half < 2; ++half) {
      const float* s = b + half * 8 * ldb + p;
      __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + ldb), r2 = _mm256_loadu_ps(s + 2 * ldb),
             r3 = _mm256_loadu_ps(s + 3 * ldb), r4 = _mm256_loadu_ps(s + 4 * ldb),
             r5 = _mm256_loadu_ps(s + 5 * ldb), r6 = _mm256_loadu_ps(s + 6 * ldb),
             r7 = _mm256_loadu_ps(s + 7 * ldb);
      transpose8(r0, r1, r2, r3, r4, r5, r6, r7);
      float* d = dst + p * 16 + half * 8;
      _mm256_store_ps(d, r0);
      _mm256_store_ps(d + 16, r1);
      _mm256_store_ps(d + 32, r2);
      _mm256_store_ps(d + 48, r3);
      _mm256_store_ps(d + 64, r4);
      _mm256_store_ps(d + 80, r5);
      _mm256_store_ps(d + 96, r6);
      _mm256_store_ps(d + 112, r7);
    }
  }
  for (; p < kc; ++p)
    for (int64_t c = 0; c < 16; ++c) dst[p * 16 + c] = b[c * ldb + p];
}

#include "gemm_driver.inc"

// p ← p·decay − step_size·m / (√v·inv_sqrt_c2 + ε), after the moment updates; the same
// arithmetic as the TypeScript kernel, in float32.
inline void adam_scalar(const nnlab::AdamArgs& a, int64_t i) {
  const float g = a.g[i];
  const float m = a.beta1 * a.m[i] + a.one_minus_beta1 * g;
  const float v = a.beta2 * a.v[i] + a.one_minus_beta2 * g * g;
  a.m[i] = m;
  a.v[i] = v;
  a.p[i] = a.p[i] * a.decay - a.step_size * m / (std::sqrt(v) * a.inv_sqrt_c2 + a.epsilon);
}

}  // namespace

namespace nnlab {

void sgemm_avx2(const SgemmArgs& args) { driver(args); }

void adam_avx2(const AdamArgs& a) {
  const __m256 b1 = _mm256_set1_ps(a.beta1), nb1 = _mm256_set1_ps(a.one_minus_beta1);
  const __m256 b2 = _mm256_set1_ps(a.beta2), nb2 = _mm256_set1_ps(a.one_minus_beta2);
  const __m256 step = _mm256_set1_ps(a.step_size), isc2 = _mm256_set1_ps(a.inv_sqrt_c2);
  const __m256 eps = _mm256_set1_ps(a.epsilon), decay = _mm256_set1_ps(a.decay);
  int64_t i = 0;
  for (; i + 8 <= a.n; i += 8) {
    const __m256 g = _mm256_loadu_ps(a.g + i);
    // The arithmetic of adam_scalar, eight lanes at a time.
    const __m256 m = _mm256_add_ps(_mm256_mul_ps(b1, _mm256_loadu_ps(a.m + i)), _mm256_mul_ps(nb1, g));
    const __m256 v =
        _mm256_add_ps(_mm256_mul_ps(b2, _mm256_loadu_ps(a.v + i)), _mm256_mul_ps(_mm256_mul_ps(nb2, g), g));
    _mm256_storeu_ps(a.m + i, m);
    _mm256_storeu_ps(a.v + i, v);
    const __m256 denom = _mm256_add_ps(_mm256_mul_ps(_mm256_sqrt_ps(v), isc2), eps);
    const __m256 delta = _mm256_div_ps(_mm256_mul_ps(step, m), denom);
    _mm256_storeu_ps(a.p + i, _mm256_sub_ps(_mm256_mul_ps(_mm256_loadu_ps(a.p + i), decay), delta));
  }
  for (; i < a.n; ++i) adam_scalar(a, i);
}

void sgemm_avx2_parallel(const SgemmArgs& args, const ParallelContext& ctx, int index, int count) {
  driver_parallel(args, ctx, index, count);
}

size_t shared_b_floats_avx2(const SgemmArgs& args) { return shared_b_floats(args); }

int64_t parallel_phases_avx2(const SgemmArgs& args) { return parallel_phases(args); }

KernelInfo kernel_info_avx2() { return {static_cast<int>(MR), static_cast<int>(NR), "native-avx2"}; }

}  // namespace nnlab
