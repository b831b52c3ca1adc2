// The fused recurrent cells' forward passes for float32 (Backend.lstmCell and gruCell on the
// CPU; see core/engine/backends/cpu/lstm-cell.ts and gru-cell.ts for the formulas and the
// float64 paths). Their cost is the transcendentals — in JavaScript Math.tanh and Math.exp make
// a cell most of a recurrent training step; here they are fast_math.h's vectorised functions,
// and rows whose inputs are contiguous (the usual case) run as plain vector loops.
//
// Exports (registered by register_recurrent_cells):
//   lstmCellForward(out, gates, z, zOffset, zRow, zCol, c, cOffset, cRow, cCol, batch, units)
//     out [B, 2U] = h | c′ and gates [B, 5U] = i | f | g | o | tanh(c′), both contiguous;
//   gruCellForward(out, gates, x, xOffset, xRow, xCol, rec, recOffset, recRow, recCol,
//                  h, hOffset, hRow, hCol, batch, units)
//     out [B, U] = h′ and gates [B, 3U] = z | r | h̃, both contiguous.
// Inputs are strided 2-D views: element (b, j) at offset + b·row + j·col.
#include "recurrent_cells.h"

#include "fast_math.h"
#include "napi_args.h"

#include <cmath>
#include <cstdint>
#include <string>

namespace nnlab {
namespace {

struct Strided {
  const float* data;
  int64_t row, col;
  float at(int64_t b, int64_t j) const { return data[b * row + j * col]; }
};

// Row b of a view whose rows are contiguous (column stride 1), as a pointer: the cells' loops
// over j then vectorise.
struct Rows {
  const float* data;
  int64_t row;
  const float* operator[](int64_t b) const { return data + b * row; }
};

Rows rows_of(const Strided& v) { return Rows{v.data, v.row}; }

// A strided view's row b, read through its column stride.
struct StridedRow {
  const float* data;
  int64_t col;
  float operator[](int64_t j) const { return data[j * col]; }
};

struct StridedRows {
  Strided view;
  StridedRow operator[](int64_t b) const { return StridedRow{view.data + b * view.row, view.col}; }
};

// c′ = f·c + i·g, h = o·tanh(c′) with i, f, o = σ(z_i, z_f, z_o) and g = tanh(z_g).
template <class Z, class C>
void lstm_rows(float* __restrict out, float* __restrict gates, Z z, C c, int64_t batch, int64_t U) {
  for (int64_t b = 0; b < batch; ++b) {
    float* __restrict o_row = out + b * 2 * U;
    float* __restrict g_row = gates + b * 5 * U;
    const auto zr = z[b];
    const auto cr = c[b];
    // Two passes over the row (the gates, then the state) keep each loop simple enough for
    // the vectoriser.
    for (int64_t j = 0; j < U; ++j) {
      g_row[j] = sigmoid_fast(zr[j]);
      g_row[U + j] = sigmoid_fast(zr[U + j]);
      g_row[2 * U + j] = tanh_fast(zr[2 * U + j]);
      g_row[3 * U + j] = sigmoid_fast(zr[3 * U + j]);
    }
    for (int64_t j = 0; j < U; ++j) {
      const float c_next = g_row[U + j] * cr[j] + g_row[j] * g_row[2 * U + j];
      const float t = tanh_fast(c_next);
      o_row[j] = g_row[3 * U + j] * t;
      o_row[U + j] = c_next;
      g_row[4 * U + j] = t;
    }
  }
}

// h′ = z·h + (1 − z)·tanh(x_h + r·rec_h), z and r from σ of x + rec (Keras's reset-after GRU).
template <class X, class R, class H>
void gru_rows(float* __restrict out, float* __restrict gates, X x, R rec, H h, int64_t batch, int64_t U) {
  for (int64_t b = 0; b < batch; ++b) {
    float* __restrict g_row = gates + b * 3 * U;
    float* __restrict o_row = out + b * U;
    const auto xr = x[b];
    const auto rr = rec[b];
    const auto hr = h[b];
    for (int64_t j = 0; j < U; ++j) {
      const float z = sigmoid_fast(xr[j] + rr[j]);
      const float r = sigmoid_fast(xr[U + j] + rr[U + j]);
      const float candidate = tanh_fast(xr[2 * U + j] + r * rr[2 * U + j]);
      o_row[j] = z * hr[j] + (1.0f - z) * candidate;
      g_row[j] = z;
      g_row[U + j] = r;
      g_row[2 * U + j] = candidate;
    }
  }
}

void lstm_forward(float* out, float* gates, Strided z, Strided c, int64_t batch, int64_t U) {
  if (z.col == 1 && c.col == 1) lstm_rows(out, gates, rows_of(z), rows_of(c), batch, U);
  else lstm_rows(out, gates, StridedRows{z}, StridedRows{c}, batch, U);
}

void gru_forward(float* out, float* gates, Strided x, Strided rec, Strided h, int64_t batch, int64_t U) {
  if (x.col == 1 && rec.col == 1 && h.col == 1) gru_rows(out, gates, rows_of(x), rows_of(rec), rows_of(h), batch, U);
  else gru_rows(out, gates, StridedRows{x}, StridedRows{rec}, StridedRows{h}, batch, U);
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

constexpr int64_t kMaxIndex = 2147483647;

// A strided float32 view in arguments first .. first + 3 (array, offset, row stride, column
// stride), checked to lie inside its array for `rows` × `cols` elements.
bool view_arg(const CallArgs& args, size_t first, const char* what, int64_t rows, int64_t cols, Strided* out) {
  float* data;
  int64_t length, offset, row, col;
  if (!args.floats(first, what, &data, &length) || !args.integer(first + 1, "offset", 0, &offset, kMaxIndex) ||
      !args.integer(first + 2, "row stride", -kMaxIndex, &row, kMaxIndex) ||
      !args.integer(first + 3, "column stride", -kMaxIndex, &col, kMaxIndex))
    return false;
  if (!view_in_bounds(length, offset, row, col, rows, cols))
    return args.fail_range(std::string(what) + " reaches outside its array");
  *out = Strided{data + offset, row, col};
  return true;
}

// Reads (out, gates, views..., batch, units): view k is named names[k] and spans widths[k]·units
// columns; out and gates span out_width·units and gate_width·units.
napi_value cell_forward(napi_env env, napi_callback_info info, const char* fn, int views, const char* const* names,
                        const int* widths, int out_width, int gate_width,
                        void (*run)(float*, float*, const Strided*, int64_t, int64_t)) {
  CallArgs args(env, fn);
  const size_t count = 2 + 4 * static_cast<size_t>(views) + 2;
  float *out, *gates;
  int64_t out_len, gates_len, batch, units;
  if (!args.read(info, count) || !args.floats(0, "out", &out, &out_len) ||
      !args.floats(1, "gates", &gates, &gates_len) || !args.integer(count - 2, "batch", 0, &batch, kMaxIndex) ||
      !args.integer(count - 1, "units", 0, &units, kMaxIndex))
    return nullptr;
  if (out_len < batch * out_width * units || gates_len < batch * gate_width * units) {
    args.fail_range("out or gates is shorter than the batch needs");
    return nullptr;
  }
  Strided inputs[3];
  for (int k = 0; k < views; ++k)
    if (!view_arg(args, 2 + 4 * static_cast<size_t>(k), names[k], batch, widths[k] * units, &inputs[k]))
      return nullptr;
  run(out, gates, inputs, batch, units);
  return nullptr;
}

void run_lstm(float* out, float* gates, const Strided* in, int64_t batch, int64_t units) {
  lstm_forward(out, gates, in[0], in[1], batch, units);
}

void run_gru(float* out, float* gates, const Strided* in, int64_t batch, int64_t units) {
  gru_forward(out, gates, in[0], in[1], in[2], batch, units);
}

napi_value LstmCellForward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"z", "c"};
  static const int widths[] = {4, 1};  // z [B, 4U], c [B, U]
  return cell_forward(env, info, "lstmCellForward", 2, names, widths, 2, 5, run_lstm);
}

napi_value GruCellForward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"x", "rec", "h"};
  static const int widths[] = {3, 3, 1};  // x [B, 3U], rec [B, 3U], h [B, U]
  return cell_forward(env, info, "gruCellForward", 3, names, widths, 1, 3, run_gru);
}

}  // namespace

napi_status register_recurrent_cells(napi_env env, napi_value exports) {
  napi_status s = set_function(env, exports, "lstmCellForward", LstmCellForward);
  return s == napi_ok ? set_function(env, exports, "gruCellForward", GruCellForward) : s;
}

}  // namespace nnlab
