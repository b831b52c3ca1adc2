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

struct Call {
  napi_env env;
  const char* fn;
  napi_value* argv;

  bool fail(const std::string& what, bool type = false) const {
    const std::string msg = std::string(fn) + ": " + what;
    if (type) napi_throw_type_error(env, nullptr, msg.c_str());
    else napi_throw_range_error(env, nullptr, msg.c_str());
    return false;
  }

  // A Float32Array of at least `need` elements; with `optional`, null gives nullptr.
  bool floats(int i, const char* what, int64_t need, float** out, bool optional = false) const {
    napi_valuetype t;
    if (optional && napi_typeof(env, argv[i], &t) == napi_ok && t == napi_null) {
      *out = nullptr;
      return true;
    }
    bool is_ta = false;
    napi_typedarray_type type;
    size_t len;
    void* ptr;
    if (napi_is_typedarray(env, argv[i], &is_ta) != napi_ok || !is_ta ||
        napi_get_typedarray_info(env, argv[i], &type, &len, &ptr, nullptr, nullptr) != napi_ok ||
        type != napi_float32_array)
      return fail(std::string(what) + (optional ? " must be a Float32Array or null" : " must be a Float32Array"), true);
    if (static_cast<int64_t>(len) < need)
      return fail(std::string(what) + " holds " + std::to_string(len) + " elements, fewer than " + std::to_string(need));
    *out = static_cast<float*>(ptr);
    return true;
  }

  bool size(int i, const char* what, int64_t* out) const {
    double d;
    if (napi_get_value_double(env, argv[i], &d) != napi_ok || !(d >= 0) || d > 2147483647.0 || d != std::floor(d))
      return fail(std::string(what) + " must be an integer in [0, 2^31)");
    *out = static_cast<int64_t>(d);
    return true;
  }

  bool number(int i, const char* what, double* out) const {
    if (napi_get_value_double(env, argv[i], out) != napi_ok || !std::isfinite(*out))
      return fail(std::string(what) + " must be a finite number", true);
    return true;
  }
};

bool read_args(napi_env env, napi_callback_info info, const char* fn, size_t want, napi_value* argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != want) {
    napi_throw_type_error(env, nullptr, (std::string(fn) + ": expected " + std::to_string(want) + " arguments").c_str());
    return false;
  }
  return true;
}

// batchNormForward(y, mean, variance, x, gamma|null, beta|null, rows, channels, epsilon)
napi_value BatchNormForward(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  if (!read_args(env, info, "batchNormForward", 9, argv)) return nullptr;
  Call call{env, "batchNormForward", argv};
  int64_t rows, C;
  double epsilon;
  if (!call.size(6, "rows", &rows) || !call.size(7, "channels", &C) || !call.number(8, "epsilon", &epsilon))
    return nullptr;
  const int64_t n = rows * C;
  float *y, *mean, *variance, *x, *gamma, *beta;
  if (!call.floats(0, "y", n, &y) || !call.floats(1, "mean", C, &mean) || !call.floats(2, "variance", C, &variance) ||
      !call.floats(3, "x", n, &x) || !call.floats(4, "gamma", C, &gamma, true) ||
      !call.floats(5, "beta", C, &beta, true))
    return nullptr;
  if (rows == 0) {
    call.fail("rows must be at least 1 (statistics of nothing)");
    return nullptr;
  }
  forward(y, mean, variance, x, gamma, beta, rows, C, static_cast<float>(epsilon));
  return nullptr;
}

// batchNormBackward(dx, dGamma, dBeta, dy, x, mean, variance, gamma|null, rows, channels, epsilon)
napi_value BatchNormBackward(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  if (!read_args(env, info, "batchNormBackward", 11, argv)) return nullptr;
  Call call{env, "batchNormBackward", argv};
  int64_t rows, C;
  double epsilon;
  if (!call.size(8, "rows", &rows) || !call.size(9, "channels", &C) || !call.number(10, "epsilon", &epsilon))
    return nullptr;
  const int64_t n = rows * C;
  float *dx, *d_gamma, *d_beta, *dy, *x, *mean, *variance, *gamma;
  if (!call.floats(0, "dx", n, &dx) || !call.floats(1, "dGamma", C, &d_gamma) || !call.floats(2, "dBeta", C, &d_beta) ||
      !call.floats(3, "dy", n, &dy) || !call.floats(4, "x", n, &x) || !call.floats(5, "mean", C, &mean) ||
      !call.floats(6, "variance", C, &variance) || !call.floats(7, "gamma", C, &gamma, true))
    return nullptr;
  if (rows == 0) {
    call.fail("rows must be at least 1");
    return nullptr;
  }
  backward(dx, d_gamma, d_beta, dy, x, mean, variance, gamma, rows, C, static_cast<float>(epsilon));
  return nullptr;
}

napi_status set_function(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  napi_status s = napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn);
  return s == napi_ok ? napi_set_named_property(env, exports, name, fn) : s;
}

}  // namespace

napi_status register_batch_norm(napi_env env, napi_value exports) {
  napi_status s = set_function(env, exports, "batchNormForward", BatchNormForward);
  if (s == napi_ok) s = set_function(env, exports, "batchNormBackward", BatchNormBackward);
  return s;
}

}  // namespace nnlab
