// Portable kernels: plain C++ that the compiler vectorises for the baseline instruction set
// (SSE2 on x86-64, NEON on arm64). Used where AVX2/FMA is absent or was not compiled.
#include <cmath>

#include "gemm.h"

namespace {

constexpr int64_t MR = 4;
constexpr int64_t NR = 8;
constexpr int64_t MC = 128;
constexpr int64_t KC = 256;
constexpr int64_t NC = 2048;

void micro_full(int64_t kc, const float* A, const float* B, float* C, int64_t ldc, bool add) {
  float acc[MR][NR] = {};
  for (int64_t p = 0; p < kc; ++p) {
    const float* b = B + p * NR;
    const float* a = A + p * MR;
    for (int64_t r = 0; r < MR; ++r)
      for (int64_t c = 0; c < NR; ++c) acc[r][c] += a[r] * b[c];
  }
  for (int64_t r = 0; r < MR; ++r) {
    float* row = C + r * ldc;
    if (add) {
      for (int64_t c = 0; c < NR; ++c) row[c] += acc[r][c];
    } else {
      for (int64_t c = 0; c < NR; ++c) row[c] = acc[r][c];
    }
  }
}

void pack_b_trans_full(const float* b, int64_t ldb, int64_t kc, float* dst) {
  for (int64_t c = 0; c < NR; ++c) {
    const float* s = b + c * ldb;
    for (int64_t p = 0; p < kc; ++p) dst[p * NR + c] = s[p];
  }
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

void sgemm_generic(const SgemmArgs& args) { driver(args); }

void adam_generic(const AdamArgs& args) {
  for (int64_t i = 0; i < args.n; ++i) adam_scalar(args, i);
}

void sgemm_generic_parallel(const SgemmArgs& args, const ParallelContext& ctx, int index, int count) {
  driver_parallel(args, ctx, index, count);
}

size_t shared_b_floats_generic(const SgemmArgs& args) { return shared_b_floats(args); }

int64_t parallel_phases_generic(const SgemmArgs& args) { return parallel_phases(args); }

KernelInfo kernel_info_generic() {
  return {static_cast<int>(MR), static_cast<int>(NR), "native-generic"};
}

}  // namespace nnlab
