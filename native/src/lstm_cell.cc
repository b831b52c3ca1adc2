// The fused LSTM cell's forward pass for float32 (Backend.lstmCell on the CPU; see
// core/engine/backends/cpu/lstm-cell.ts for the formula and the float64 path). Its cost is the
// five transcendentals per unit — in JavaScript Math.tanh and Math.exp make it the bulk of an
// LSTM's training step; here they are libm's single-precision expf and tanhf.
//
// Export (registered by register_lstm_cell):
//   lstmCellForward(out, gates, z, zOffset, zRow, zCol, c, cOffset, cRow, cCol, batch, units)
// out [B, 2U] = h | c′ and gates [B, 5U] = i | f | g | o | tanh(c′), both contiguous; z [B, 4U]
// and c [B, U] are strided views (element (b, j) at offset + b·row + j·col).
#include "lstm_cell.h"

#include <cmath>
#include <cstdint>
#include <string>

namespace nnlab {
namespace {

// σ(v) with one expf and no overflow: e = e^−|v|, σ = 1/(1 + e) for v ≥ 0, e/(1 + e) below.
inline float sigmoid(float v) {
  const float e = std::exp(-std::fabs(v));
  const float s = 1.0f / (1.0f + e);
  return v >= 0.0f ? s : e * s;
}

struct Strided {
  const float* data;
  int64_t row, col;
  float at(int64_t b, int64_t j) const { return data[b * row + j * col]; }
};

void forward(float* out, float* gates, Strided z, Strided c, int64_t batch, int64_t U) {
  for (int64_t b = 0; b < batch; ++b) {
    float* o_row = out + b * 2 * U;
    float* g_row = gates + b * 5 * U;
    for (int64_t j = 0; j < U; ++j) {
      const float i = sigmoid(z.at(b, j));
      const float f = sigmoid(z.at(b, U + j));
      const float g = std::tanh(z.at(b, 2 * U + j));
      const float o = sigmoid(z.at(b, 3 * U + j));
      const float c_next = f * c.at(b, j) + i * g;
      const float t = std::tanh(c_next);
      o_row[j] = o * t;
      o_row[U + j] = c_next;
      g_row[j] = i;
      g_row[U + j] = f;
      g_row[2 * U + j] = g;
      g_row[3 * U + j] = o;
      g_row[4 * U + j] = t;
    }
  }
}

bool fail(napi_env env, const std::string& what, bool type = false) {
  const std::string msg = "lstmCellForward: " + what;
  if (type) napi_throw_type_error(env, nullptr, msg.c_str());
  else napi_throw_range_error(env, nullptr, msg.c_str());
  return false;
}

bool floats(napi_env env, napi_value v, const char* what, float** data, int64_t* length) {
  bool is_ta = false;
  napi_typedarray_type type;
  size_t len;
  void* ptr;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &type, &len, &ptr, nullptr, nullptr) != napi_ok || type != napi_float32_array)
    return fail(env, std::string(what) + " must be a Float32Array", true);
  *data = static_cast<float*>(ptr);
  *length = static_cast<int64_t>(len);
  return true;
}

bool integer(napi_env env, napi_value v, const char* what, int64_t lo, int64_t* out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= static_cast<double>(lo)) || d > 2147483647.0 ||
      d != std::floor(d))
    return fail(env, std::string(what) + " must be an integer >= " + std::to_string(lo) + " below 2^31");
  *out = static_cast<int64_t>(d);
  return true;
}

// Every element a strided [rows, cols] view reads lies in [0, length).
bool view_in_bounds(int64_t length, int64_t offset, int64_t row, int64_t col, int64_t rows, int64_t cols) {
  if (rows == 0 || cols == 0) return true;
  const int64_t last_row = (rows - 1) * row;
  const int64_t last_col = (cols - 1) * col;
  const int64_t lo = offset + (last_row < 0 ? last_row : 0) + (last_col < 0 ? last_col : 0);
  const int64_t hi = offset + (last_row > 0 ? last_row : 0) + (last_col > 0 ? last_col : 0);
  return lo >= 0 && hi < length;
}

napi_value LstmCellForward(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != 12) {
    napi_throw_type_error(env, nullptr, "lstmCellForward: expected 12 arguments");
    return nullptr;
  }
  float *out, *gates, *z, *c;
  int64_t out_len, gates_len, z_len, c_len, zo, zr, zc, co, cr, cc, batch, units;
  const int64_t min_stride = -(int64_t{1} << 31);
  if (!floats(env, argv[0], "out", &out, &out_len) || !floats(env, argv[1], "gates", &gates, &gates_len) ||
      !floats(env, argv[2], "z", &z, &z_len) || !integer(env, argv[3], "zOffset", 0, &zo) ||
      !integer(env, argv[4], "zRow", min_stride, &zr) || !integer(env, argv[5], "zCol", min_stride, &zc) ||
      !floats(env, argv[6], "c", &c, &c_len) || !integer(env, argv[7], "cOffset", 0, &co) ||
      !integer(env, argv[8], "cRow", min_stride, &cr) || !integer(env, argv[9], "cCol", min_stride, &cc) ||
      !integer(env, argv[10], "batch", 0, &batch) || !integer(env, argv[11], "units", 0, &units))
    return nullptr;
  if (out_len < batch * 2 * units || gates_len < batch * 5 * units) {
    fail(env, "out or gates is shorter than the batch needs");
    return nullptr;
  }
  if (!view_in_bounds(z_len, zo, zr, zc, batch, 4 * units) || !view_in_bounds(c_len, co, cr, cc, batch, units)) {
    fail(env, "z or c reaches outside its array");
    return nullptr;
  }
  forward(out, gates, Strided{z + zo, zr, zc}, Strided{c + co, cr, cc}, batch, units);
  return nullptr;
}

}  // namespace

napi_status register_lstm_cell(napi_env env, napi_value exports) {
  napi_value fn;
  napi_status s = napi_create_function(env, "lstmCellForward", NAPI_AUTO_LENGTH, LstmCellForward, nullptr, &fn);
  return s == napi_ok ? napi_set_named_property(env, exports, "lstmCellForward", fn) : s;
}

}  // namespace nnlab
