// Elementwise float32 kernels over the row plans of core/engine/backends/cpu/strided.ts, and the
// leading-rows sum (a bias or batch-norm gradient). They replace TypeScript loops that run at
// ~2 ns an element; these compile to SSE/NEON vector loops.
//
// Every op here but two gives bit-identical results to its TypeScript expression in
// core/engine/backends/cpu/elementwise.ts: IEEE add, sub, mul, div and sqrt of float32 operands
// round the same whether computed in float or in double and then rounded, and the selects
// (relu, step, maximum, comparisons) reproduce the TypeScript's treatment of NaN and −0.
// The exceptions are sigmoid and tanh, the recurrent layers' activations: they use the
// vectorised single-precision functions of fast_math.h (JavaScript's Math.tanh costs ~20 ns an
// element), within four float32 ulps of the TypeScript's double-precision values (results
// under 2^-126 flushed to 0), and deterministic like the rest.
// Other transcendental ops (exp, log, …) stay in TypeScript.
//
// Exports (registered by register_elementwise):
//   unaryOps, binaryOps: string[]  (an op's index is its code)
//   mapUnary(code, out, x, offsets, stride, rows, inner, param)
//   mapBinary(code, out, a, aOffsets, aStride, b, bOffsets, bStride, rows, inner)
//   sumLeadingRows(out, x, offset, rows, width)
#include "elementwise.h"

#include "fast_math.h"
#include "napi_args.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace nnlab {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// ── ops ─────────────────────────────────────────────────────────────────────────────────────
// Each is a functor so the row loops below inline it and vectorise. Selects are written as
// unconditional compares feeding ternaries (no || or nested ?:), which GCC and Clang turn into
// vector blends; a short-circuit form stays a scalar branch, ~15× slower on random signs.
struct Neg { float operator()(float a, double) const { return -a; } };
struct Abs { float operator()(float a, double) const { return std::fabs(a); } };
struct Sign {
  float operator()(float a, double) const {
    const float positive = a > 0.0f ? 1.0f : a;  // NaN and ±0 pass through
    return a < 0.0f ? -1.0f : positive;
  }
};
struct Square { float operator()(float a, double) const { return a * a; } };
struct Sqrt { float operator()(float a, double) const { return std::sqrt(a); } };
struct Reciprocal { float operator()(float a, double) const { return 1.0f / a; } };
struct Floor { float operator()(float a, double) const { return std::floor(a); } };
struct Sigmoid { float operator()(float a, double) const { return sigmoid_fast(a); } };
struct Tanh { float operator()(float a, double) const { return tanh_fast(a); } };
// relu(−0) is +0 and relu(NaN) is NaN (NaN <= 0 is false), as the TypeScript's (a + |a|)/2.
struct Relu {
  float operator()(float a, double) const {
    const float r = a > 0.0f ? a : 0.0f;
    return a == a ? r : a;
  }
};
struct Step {
  float operator()(float a, double) const {
    const float s = a > 0.0f ? 1.0f : 0.0f;
    return a == a ? s : a;
  }
};
// The TypeScript multiplies in double (its alpha is a double) and rounds once.
struct LeakyRelu {
  float operator()(float a, double p) const {
    const float scaled = static_cast<float>(p * static_cast<double>(a));
    const float r = a > 0.0f ? a : scaled;
    return a == a ? r : scaled;
  }
};

struct Add { float operator()(float a, float b) const { return a + b; } };
struct Sub { float operator()(float a, float b) const { return a - b; } };
struct Mul { float operator()(float a, float b) const { return a * b; } };
struct Div { float operator()(float a, float b) const { return a / b; } };
// Either operand NaN gives NaN, as NumPy's maximum/minimum.
struct Maximum {
  float operator()(float a, float b) const {
    const float m = a > b ? a : b;
    const bool nan = (a != a) | (b != b);
    return nan ? kNaN : m;
  }
};
struct Minimum {
  float operator()(float a, float b) const {
    const float m = a < b ? a : b;
    const bool nan = (a != a) | (b != b);
    return nan ? kNaN : m;
  }
};
struct Equal { float operator()(float a, float b) const { return a == b ? 1.0f : 0.0f; } };
struct NotEqual { float operator()(float a, float b) const { return a != b ? 1.0f : 0.0f; } };
struct Less { float operator()(float a, float b) const { return a < b ? 1.0f : 0.0f; } };
struct LessEqual { float operator()(float a, float b) const { return a <= b ? 1.0f : 0.0f; } };
struct Greater { float operator()(float a, float b) const { return a > b ? 1.0f : 0.0f; } };
struct GreaterEqual { float operator()(float a, float b) const { return a >= b ? 1.0f : 0.0f; } };

// Names as the engine's UnaryOp/BinaryOp spell them; the index is the code the loader passes.
const char* const kUnaryNames[] = {"neg",  "abs",  "sign",      "square",  "sqrt", "reciprocal",
                                   "floor", "relu", "leakyRelu", "sigmoid", "tanh", "step"};
const char* const kBinaryNames[] = {"add",  "sub",       "mul",     "div",          "maximum", "minimum",
                                    "equal", "notEqual", "less",    "lessEqual",    "greater", "greaterEqual"};
constexpr int kUnaryCount = sizeof(kUnaryNames) / sizeof(kUnaryNames[0]);
constexpr int kBinaryCount = sizeof(kBinaryNames) / sizeof(kBinaryNames[0]);

// ── row loops ───────────────────────────────────────────────────────────────────────────────
// Row r of the output is contiguous at r·inner; operand rows start at their offsets and step by
// their inner stride (1 contiguous, 0 broadcast, else strided).

template <class F>
void unary_rows(F f, float* __restrict out, const float* __restrict x, const int32_t* offsets, int64_t stride,
                int64_t rows, int64_t inner, double p) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict px = x + offsets[r];
    float* __restrict po = out + r * inner;
    if (stride == 1) {
      for (int64_t j = 0; j < inner; ++j) po[j] = f(px[j], p);
    } else if (stride == 0) {
      const float v = f(px[0], p);
      for (int64_t j = 0; j < inner; ++j) po[j] = v;
    } else {
      for (int64_t j = 0; j < inner; ++j) po[j] = f(px[j * stride], p);
    }
  }
}

template <class F>
void binary_rows(F f, float* __restrict out, const float* __restrict a, const int32_t* ao, int64_t as,
                 const float* __restrict b, const int32_t* bo, int64_t bs, int64_t rows, int64_t inner) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict pa = a + ao[r];
    const float* __restrict pb = b + bo[r];
    float* __restrict po = out + r * inner;
    if (as == 1 && bs == 1) {
      for (int64_t j = 0; j < inner; ++j) po[j] = f(pa[j], pb[j]);
    } else if (as == 1 && bs == 0) {
      const float vb = pb[0];
      for (int64_t j = 0; j < inner; ++j) po[j] = f(pa[j], vb);
    } else if (as == 0 && bs == 1) {
      const float va = pa[0];
      for (int64_t j = 0; j < inner; ++j) po[j] = f(va, pb[j]);
    } else {
      for (int64_t j = 0; j < inner; ++j) po[j] = f(pa[j * as], pb[j * bs]);
    }
  }
}

void run_unary(int code, float* out, const float* x, const int32_t* offsets, int64_t stride, int64_t rows,
               int64_t inner, double p) {
  switch (code) {
    case 0: return unary_rows(Neg{}, out, x, offsets, stride, rows, inner, p);
    case 1: return unary_rows(Abs{}, out, x, offsets, stride, rows, inner, p);
    case 2: return unary_rows(Sign{}, out, x, offsets, stride, rows, inner, p);
    case 3: return unary_rows(Square{}, out, x, offsets, stride, rows, inner, p);
    case 4: return unary_rows(Sqrt{}, out, x, offsets, stride, rows, inner, p);
    case 5: return unary_rows(Reciprocal{}, out, x, offsets, stride, rows, inner, p);
    case 6: return unary_rows(Floor{}, out, x, offsets, stride, rows, inner, p);
    case 7: return unary_rows(Relu{}, out, x, offsets, stride, rows, inner, p);
    case 8: return unary_rows(LeakyRelu{}, out, x, offsets, stride, rows, inner, p);
    case 9: return unary_rows(Sigmoid{}, out, x, offsets, stride, rows, inner, p);
    case 10: return unary_rows(Tanh{}, out, x, offsets, stride, rows, inner, p);
    case 11: return unary_rows(Step{}, out, x, offsets, stride, rows, inner, p);
  }
}

void run_binary(int code, float* out, const float* a, const int32_t* ao, int64_t as, const float* b,
                const int32_t* bo, int64_t bs, int64_t rows, int64_t inner) {
  switch (code) {
    case 0: return binary_rows(Add{}, out, a, ao, as, b, bo, bs, rows, inner);
    case 1: return binary_rows(Sub{}, out, a, ao, as, b, bo, bs, rows, inner);
    case 2: return binary_rows(Mul{}, out, a, ao, as, b, bo, bs, rows, inner);
    case 3: return binary_rows(Div{}, out, a, ao, as, b, bo, bs, rows, inner);
    case 4: return binary_rows(Maximum{}, out, a, ao, as, b, bo, bs, rows, inner);
    case 5: return binary_rows(Minimum{}, out, a, ao, as, b, bo, bs, rows, inner);
    case 6: return binary_rows(Equal{}, out, a, ao, as, b, bo, bs, rows, inner);
    case 7: return binary_rows(NotEqual{}, out, a, ao, as, b, bo, bs, rows, inner);
    case 8: return binary_rows(Less{}, out, a, ao, as, b, bo, bs, rows, inner);
    case 9: return binary_rows(LessEqual{}, out, a, ao, as, b, bo, bs, rows, inner);
    case 10: return binary_rows(Greater{}, out, a, ao, as, b, bo, bs, rows, inner);
    case 11: return binary_rows(GreaterEqual{}, out, a, ao, as, b, bo, bs, rows, inner);
  }
}

// ── argument checks ─────────────────────────────────────────────────────────────────────────
// The loader passes plans it built itself, but a bad call must throw, never read out of bounds.

// Every row's first and last element lie inside the operand's array.
bool rows_in_bounds(const CallArgs& args, const char* what, const int32_t* offsets, int64_t offset_count,
                    int64_t stride, int64_t rows, int64_t inner, int64_t length) {
  if (offset_count < rows) return args.fail_range(std::string(what) + " has fewer row offsets than rows");
  if (inner == 0) return true;
  const int64_t span = (inner - 1) * stride;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t first = offsets[r];
    const int64_t last = first + span;
    if (first < 0 || last < 0 || first >= length || last >= length)
      return args.fail_range(std::string(what) + " row " + std::to_string(r) + " is out of bounds of its array");
  }
  return true;
}

// mapUnary(code, out, x, offsets, stride, rows, inner, param)
napi_value MapUnary(napi_env env, napi_callback_info info) {
  CallArgs args(env, "mapUnary");
  if (!args.read(info, 8)) return nullptr;
  int64_t code, stride, rows, inner, out_len, x_len, off_len;
  float *out, *x;
  int32_t* offsets;
  double param;
  if (!args.integer(0, "code", 0, &code) || !args.array(1, "out", napi_float32_array, "Float32Array", &out, &out_len) ||
      !args.array(2, "x", napi_float32_array, "Float32Array", &x, &x_len) ||
      !args.array(3, "offsets", napi_int32_array, "Int32Array", &offsets, &off_len) ||
      !args.integer(4, "stride", -(int64_t{1} << 31), &stride) || !args.integer(5, "rows", 0, &rows) ||
      !args.integer(6, "inner", 0, &inner) || !args.number(7, "param", &param))
    return nullptr;
  if (code >= kUnaryCount) {
    args.fail_range("unknown op code");
    return nullptr;
  }
  if (rows * inner > out_len) {
    args.fail_range("out is shorter than rows × inner");
    return nullptr;
  }
  if (!rows_in_bounds(args, "x", offsets, off_len, stride, rows, inner, x_len)) return nullptr;
  run_unary(static_cast<int>(code), out, x, offsets, stride, rows, inner, param);
  return nullptr;
}

// mapBinary(code, out, a, aOffsets, aStride, b, bOffsets, bStride, rows, inner)
napi_value MapBinary(napi_env env, napi_callback_info info) {
  CallArgs args(env, "mapBinary");
  if (!args.read(info, 10)) return nullptr;
  int64_t code, as, bs, rows, inner, out_len, a_len, b_len, ao_len, bo_len;
  float *out, *a, *b;
  int32_t *ao, *bo;
  const int64_t min_stride = -(int64_t{1} << 31);
  if (!args.integer(0, "code", 0, &code) || !args.array(1, "out", napi_float32_array, "Float32Array", &out, &out_len) ||
      !args.array(2, "a", napi_float32_array, "Float32Array", &a, &a_len) ||
      !args.array(3, "aOffsets", napi_int32_array, "Int32Array", &ao, &ao_len) ||
      !args.integer(4, "aStride", min_stride, &as) ||
      !args.array(5, "b", napi_float32_array, "Float32Array", &b, &b_len) ||
      !args.array(6, "bOffsets", napi_int32_array, "Int32Array", &bo, &bo_len) ||
      !args.integer(7, "bStride", min_stride, &bs) || !args.integer(8, "rows", 0, &rows) ||
      !args.integer(9, "inner", 0, &inner))
    return nullptr;
  if (code >= kBinaryCount) {
    args.fail_range("unknown op code");
    return nullptr;
  }
  if (rows * inner > out_len) {
    args.fail_range("out is shorter than rows × inner");
    return nullptr;
  }
  if (!rows_in_bounds(args, "a", ao, ao_len, as, rows, inner, a_len) ||
      !rows_in_bounds(args, "b", bo, bo_len, bs, rows, inner, b_len))
    return nullptr;
  run_binary(static_cast<int>(code), out, a, ao, as, b, bo, bs, rows, inner);
  return nullptr;
}

// sumLeadingRows(out, x, offset, rows, width): out[c] = Σ_r x[offset + r·width + c], each column
// accumulated in double in row order — the TypeScript kernel's order, so the same bits.
napi_value SumLeadingRows(napi_env env, napi_callback_info info) {
  CallArgs args(env, "sumLeadingRows");
  if (!args.read(info, 5)) return nullptr;
  int64_t offset, rows, width, out_len, x_len;
  float *out, *x;
  if (!args.array(0, "out", napi_float32_array, "Float32Array", &out, &out_len) ||
      !args.array(1, "x", napi_float32_array, "Float32Array", &x, &x_len) ||
      !args.integer(2, "offset", 0, &offset) || !args.integer(3, "rows", 0, &rows) ||
      !args.integer(4, "width", 0, &width))
    return nullptr;
  if (width > out_len) {
    args.fail_range("out is shorter than width");
    return nullptr;
  }
  if (static_cast<double>(offset) + static_cast<double>(rows) * static_cast<double>(width) >
      static_cast<double>(x_len)) {
    args.fail_range("rows × width from offset is out of bounds of x");
    return nullptr;
  }
  std::vector<double> acc(static_cast<size_t>(width), 0.0);
  double* __restrict sums = acc.data();
  const float* __restrict row = x + offset;
  for (int64_t r = 0; r < rows; ++r, row += width)
    for (int64_t c = 0; c < width; ++c) sums[c] += static_cast<double>(row[c]);
  for (int64_t c = 0; c < width; ++c) out[c] = static_cast<float>(sums[c]);
  return nullptr;
}

napi_status names_array(napi_env env, const char* const* names, int count, napi_value* out) {
  napi_status s = napi_create_array_with_length(env, static_cast<size_t>(count), out);
  for (int i = 0; s == napi_ok && i < count; ++i) {
    napi_value name;
    s = napi_create_string_utf8(env, names[i], NAPI_AUTO_LENGTH, &name);
    if (s == napi_ok) s = napi_set_element(env, *out, static_cast<uint32_t>(i), name);
  }
  return s;
}

}  // namespace

napi_status register_elementwise(napi_env env, napi_value exports) {
  napi_value list;
  napi_status s = names_array(env, kUnaryNames, kUnaryCount, &list);
  if (s == napi_ok) s = napi_set_named_property(env, exports, "unaryOps", list);
  if (s == napi_ok) s = names_array(env, kBinaryNames, kBinaryCount, &list);
  if (s == napi_ok) s = napi_set_named_property(env, exports, "binaryOps", list);
  if (s == napi_ok) s = set_function(env, exports, "mapUnary", MapUnary);
  if (s == napi_ok) s = set_function(env, exports, "mapBinary", MapBinary);
  if (s == napi_ok) s = set_function(env, exports, "sumLeadingRows", SumLeadingRows);
  return s;
}

}  // namespace nnlab
