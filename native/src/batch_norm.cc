// Batch normalization in training mode, forward and backward, over x viewed as [rows, C]
// (statistics per channel over the rows): the Backend.batchNormTraining and
// batchNormTrainingGrad kernels of the CPU backend for float32.
//
// The engine's composed form (core/engine/ops/batch-norm.ts) makes six full passes over memory
// forward and seven backward, each writing a tensor; these make two reads forward plus the
// output, and two backward plus the output. Every value is computed with the composed ops'
// float32 roundings in their order, and every sum accumulates in double in row order as the
// CPU backend's leading-rows sum does, so the results are bit-identical to the composed path.
//
// Exports (registered by register_batch_norm):
//   batchNormForward(y, mean, variance, x, gamma|null, beta|null, rows, channels, epsilon)
//   batchNormBackward(dx, dGamma, dBeta, dy, x, mean, variance, gamma|null, rows, channels, epsilon)
#include "batch_norm.h"

#include "napi_args.h"

// No fused multiply-add contraction: (x − μ)·f + β must round twice, as the composed ops do
// (GCC contracts by default where the target has FMA, e.g. on ARM; Clang within a statement).
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace nnlab {
namespace {

// s = 1/√(σ² + ε) as the composed ops round it: add, sqrt and div, each in float32.
inline float inverse_std(float variance, float epsilon) { return 1.0f / std::sqrt(variance + epsilon); }

void forward(float* y, float* mean, float* variance, const float* x, const float* gamma, const float* beta,
             int64_t rows, int64_t C, float epsilon) {
  std::vector<double> acc(static_cast<size_t>(C), 0.0);
  double* __restrict sums = acc.data();
  const float count = static_cast<float>(rows);
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict row = x + r * C;
    for (int64_t c = 0; c < C; ++c) sums[c] += static_cast<double>(row[c]);
  }
  for (int64_t c = 0; c < C; ++c) {
    mean[c] = static_cast<float>(sums[c]) / count;
    sums[c] = 0.0;
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict row = x + r * C;
    for (int64_t c = 0; c < C; ++c) {
      const float centered = row[c] - mean[c];
      sums[c] += static_cast<double>(centered * centered);
    }
  }
  std::vector<float> factors(static_cast<size_t>(C));
  float* __restrict factor = factors.data();
  for (int64_t c = 0; c < C; ++c) {
    variance[c] = static_cast<float>(sums[c]) / count;
    const float scale = inverse_std(variance[c], epsilon);
    factor[c] = gamma ? scale * gamma[c] : scale;
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict row = x + r * C;
    float* __restrict out = y + r * C;
    if (beta) {
      for (int64_t c = 0; c < C; ++c) out[c] = (row[c] - mean[c]) * factor[c] + beta[c];
    } else {
      for (int64_t c = 0; c < C; ++c) out[c] = (row[c] - mean[c]) * factor[c];
    }
  }
}

// ∂β = Σ dy, ∂γ = s·Σ dy·(x − μ), ∂x = dy·f − (x − μ)·(f·s²·Σdy(x − μ)/N) − f·∂β/N with f = γ·s.
void backward(float* dx, float* d_gamma, float* d_beta, const float* dy, const float* x, const float* mean,
              const float* variance, const float* gamma, int64_t rows, int64_t C, float epsilon) {
  std::vector<double> acc(static_cast<size_t>(2 * C), 0.0);
  double* __restrict sum_dy = acc.data();
  double* __restrict sum_dyc = acc.data() + C;
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict g = dy + r * C;
    const float* __restrict row = x + r * C;
    for (int64_t c = 0; c < C; ++c) {
      sum_dy[c] += static_cast<double>(g[c]);
      sum_dyc[c] += static_cast<double>(g[c] * (row[c] - mean[c]));
    }
  }
  const float count = static_cast<float>(rows);
  std::vector<float> coefficients(static_cast<size_t>(3 * C));
  float* __restrict factor = coefficients.data();
  float* __restrict along = factor + C;
  float* __restrict shift = along + C;
  for (int64_t c = 0; c < C; ++c) {
    const float scale = inverse_std(variance[c], epsilon);
    const float dyc = static_cast<float>(sum_dyc[c]);
    d_beta[c] = static_cast<float>(sum_dy[c]);
    d_gamma[c] = dyc * scale;
    factor[c] = gamma ? scale * gamma[c] : scale;
    along[c] = factor[c] * (scale * scale) * dyc / count;
    shift[c] = factor[c] * d_beta[c] / count;
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict g = dy + r * C;
    const float* __restrict row = x + r * C;
    float* __restrict out = dx + r * C;
    for (int64_t c = 0; c < C; ++c) out[c] = g[c] * factor[c] - (row[c] - mean[c]) * along[c] - shift[c];
  }
}

// ── N-API ───────────────────────────────────────────────────────────────────────────────────

constexpr int64_t kMaxSize = 2147483647;

// batchNormForward(y, mean, variance, x, gamma|null, beta|null, rows, channels, epsilon)
napi_value BatchNormForward(napi_env env, napi_callback_info info) {
  CallArgs args(env, "batchNormForward");
  if (!args.read(info, 9)) return nullptr;
  int64_t rows, C;
  double epsilon;
  if (!args.integer(6, "rows", 1, &rows, kMaxSize) || !args.integer(7, "channels", 0, &C, kMaxSize) ||
      !args.number(8, "epsilon", &epsilon, true))
    return nullptr;
  const int64_t n = rows * C;
  float *y, *mean, *variance, *x, *gamma, *beta;
  if (!args.floats_of(0, "y", n, &y) || !args.floats_of(1, "mean", C, &mean) ||
      !args.floats_of(2, "variance", C, &variance) || !args.floats_of(3, "x", n, &x) ||
      !args.floats_of(4, "gamma", C, &gamma, true) || !args.floats_of(5, "beta", C, &beta, true))
    return nullptr;
  forward(y, mean, variance, x, gamma, beta, rows, C, static_cast<float>(epsilon));
  return nullptr;
}

// batchNormBackward(dx, dGamma, dBeta, dy, x, mean, variance, gamma|null, rows, channels, epsilon)
napi_value BatchNormBackward(napi_env env, napi_callback_info info) {
  CallArgs args(env, "batchNormBackward");
  if (!args.read(info, 11)) return nullptr;
  int64_t rows, C;
  double epsilon;
  if (!args.integer(8, "rows", 1, &rows, kMaxSize) || !args.integer(9, "channels", 0, &C, kMaxSize) ||
      !args.number(10, "epsilon", &epsilon, true))
    return nullptr;
  const int64_t n = rows * C;
  float *dx, *d_gamma, *d_beta, *dy, *x, *mean, *variance, *gamma;
  if (!args.floats_of(0, "dx", n, &dx) || !args.floats_of(1, "dGamma", C, &d_gamma) ||
      !args.floats_of(2, "dBeta", C, &d_beta) || !args.floats_of(3, "dy", n, &dy) || !args.floats_of(4, "x", n, &x) ||
      !args.floats_of(5, "mean", C, &mean) || !args.floats_of(6, "variance", C, &variance) ||
      !args.floats_of(7, "gamma", C, &gamma, true))
    return nullptr;
  backward(dx, d_gamma, d_beta, dy, x, mean, variance, gamma, rows, C, static_cast<float>(epsilon));
  return nullptr;
}

}  // namespace

napi_status register_batch_norm(napi_env env, napi_value exports) {
  napi_status s = set_function(env, exports, "batchNormForward", BatchNormForward);
  if (s == napi_ok) s = set_function(env, exports, "batchNormBackward", BatchNormBackward);
  return s;
}

}  // namespace nnlab
