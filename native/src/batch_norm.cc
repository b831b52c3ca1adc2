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
//   batchNormForward(y, mean, variance, x, gamma|null, beta|null, rows, channels, epsilon, relu)
//   batchNormBackward(dx, dGamma, dBeta, dy, x, mean, variance, gamma|null, beta|null, rows, channels,
//                     epsilon, relu)
// With relu true, y = relu(batch norm of x) and the backward takes dy of that (a
// BatchNormalization layer followed by a ReLU, fused by the Sequential model).
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

// The engine's relu and its derivative step, as the TypeScript computes them: relu(−0) = +0,
// NaN passes through both.
inline float relu(float v) {
  const float r = v > 0.0f ? v : 0.0f;
  return v == v ? r : v;
}
inline float step(float v) {
  const float s = v > 0.0f ? 1.0f : 0.0f;
  return v == v ? s : v;
}

// The forward pass's output before any relu, recomputed with the same roundings.
inline float normalised(float x, float mean, float factor, const float* beta, int64_t c) {
  const float scaled = (x - mean) * factor;
  return beta ? scaled + beta[c] : scaled;
}

// With `Relu` the output is relu of the normalised value (the BatchNormalization + ReLU pair).
template <bool Relu>
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
    if (Relu) {
      for (int64_t c = 0; c < C; ++c) out[c] = relu(normalised(row[c], mean[c], factor[c], beta, c));
    } else if (beta) {
      for (int64_t c = 0; c < C; ++c) out[c] = (row[c] - mean[c]) * factor[c] + beta[c];
    } else {
      for (int64_t c = 0; c < C; ++c) out[c] = (row[c] - mean[c]) * factor[c];
    }
  }
}

// ∂β = Σ dy, ∂γ = s·Σ dy·(x − μ), ∂x = dy·f − (x − μ)·(f·s²·Σdy(x − μ)/N) − f·∂β/N with f = γ·s.
// With `Relu`, dy is first multiplied by step(v) of the normalised value v (relu's backward),
// recomputed in each pass rather than stored.
template <bool Relu>
void backward(float* dx, float* d_gamma, float* d_beta, const float* dy, const float* x, const float* mean,
              const float* variance, const float* gamma, const float* beta, int64_t rows, int64_t C,
              float epsilon) {
  const float count = static_cast<float>(rows);
  std::vector<float> coefficients(static_cast<size_t>(4 * C));
  float* __restrict scale = coefficients.data();
  float* __restrict factor = scale + C;
  float* __restrict along = factor + C;
  float* __restrict shift = along + C;
  for (int64_t c = 0; c < C; ++c) {
    scale[c] = inverse_std(variance[c], epsilon);
    factor[c] = gamma ? scale[c] * gamma[c] : scale[c];
  }
  auto grad = [&](const float* g, const float* row, int64_t c) {
    return Relu ? g[c] * step(normalised(row[c], mean[c], factor[c], beta, c)) : g[c];
  };
  std::vector<double> acc(static_cast<size_t>(2 * C), 0.0);
  double* __restrict sum_dy = acc.data();
  double* __restrict sum_dyc = acc.data() + C;
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict g = dy + r * C;
    const float* __restrict row = x + r * C;
    for (int64_t c = 0; c < C; ++c) {
      const float gc = grad(g, row, c);
      sum_dy[c] += static_cast<double>(gc);
      sum_dyc[c] += static_cast<double>(gc * (row[c] - mean[c]));
    }
  }
  for (int64_t c = 0; c < C; ++c) {
    const float dyc = static_cast<float>(sum_dyc[c]);
    d_beta[c] = static_cast<float>(sum_dy[c]);
    d_gamma[c] = dyc * scale[c];
    along[c] = factor[c] * (scale[c] * scale[c]) * dyc / count;
    shift[c] = factor[c] * d_beta[c] / count;
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict g = dy + r * C;
    const float* __restrict row = x + r * C;
    float* __restrict out = dx + r * C;
    for (int64_t c = 0; c < C; ++c) out[c] = grad(g, row, c) * factor[c] - (row[c] - mean[c]) * along[c] - shift[c];
  }
}

// ── N-API ───────────────────────────────────────────────────────────────────────────────────

constexpr int64_t kMaxSize = 2147483647;

// batchNormForward(y, mean, variance, x, gamma|null, beta|null, rows, channels, epsilon, relu)
napi_value BatchNormForward(napi_env env, napi_callback_info info) {
  CallArgs args(env, "batchNormForward");
  if (!args.read(info, 10)) return nullptr;
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
  bool relu_after;
  if (!args.boolean(9, "relu", &relu_after)) return nullptr;
  (relu_after ? forward<true> : forward<false>)(y, mean, variance, x, gamma, beta, rows, C,
                                                 static_cast<float>(epsilon));
  return nullptr;
}

// batchNormBackward(dx, dGamma, dBeta, dy, x, mean, variance, gamma|null, beta|null, rows, channels,
//                   epsilon, relu)
napi_value BatchNormBackward(napi_env env, napi_callback_info info) {
  CallArgs args(env, "batchNormBackward");
  if (!args.read(info, 13)) return nullptr;
  int64_t rows, C;
  double epsilon;
  bool relu_after;
  if (!args.integer(9, "rows", 1, &rows, kMaxSize) || !args.integer(10, "channels", 0, &C, kMaxSize) ||
      !args.number(11, "epsilon", &epsilon, true) || !args.boolean(12, "relu", &relu_after))
    return nullptr;
  const int64_t n = rows * C;
  float *dx, *d_gamma, *d_beta, *dy, *x, *mean, *variance, *gamma, *beta;
  if (!args.floats_of(0, "dx", n, &dx) || !args.floats_of(1, "dGamma", C, &d_gamma) ||
      !args.floats_of(2, "dBeta", C, &d_beta) || !args.floats_of(3, "dy", n, &dy) || !args.floats_of(4, "x", n, &x) ||
      !args.floats_of(5, "mean", C, &mean) || !args.floats_of(6, "variance", C, &variance) ||
      !args.floats_of(7, "gamma", C, &gamma, true) || !args.floats_of(8, "beta", C, &beta, true))
    return nullptr;
  (relu_after ? backward<true> : backward<false>)(dx, d_gamma, d_beta, dy, x, mean, variance, gamma, beta, rows, C,
                                                   static_cast<float>(epsilon));
  return nullptr;
}

}  // namespace

napi_status register_batch_norm(napi_env env, napi_value exports) {
  napi_status s = set_function(env, exports, "batchNormForward", BatchNormForward);
  if (s == napi_ok) s = set_function(env, exports, "batchNormBackward", BatchNormBackward);
  return s;
}

}  // namespace nnlab
