// Sliding-window kernels over contiguous NHWC float32 images: im2col, its adjoint col2im, and
// max pooling with the index of each window's maximum. Ports of core/engine/backends/cpu/
// window.ts with the same loop order, so the results are bit-identical (col2im adds in the same
// sequence; the rest only moves and compares values). In TypeScript a tap of C channels is a
// short loop with its bounds checks; here it is a memcpy or a vector loop.
//
// Exports (registered by register_window):
//   im2col(cols, x, geometry, padValue)
//   col2im(image, cols, geometry)        (adds into image, which the caller zeroed)
//   maxPool2d(values, argmax, x, geometry)
// geometry: an Int32Array of the 14 WindowGeometry fields in backend.ts order.
#include "window.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

namespace nnlab {
namespace {

struct Geometry {
  int64_t batch, in_h, in_w, channels, k_h, k_w, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left,
      out_h, out_w;

  int64_t image_size() const { return batch * in_h * in_w * channels; }
  int64_t windows() const { return batch * out_h * out_w; }
  int64_t row_length() const { return k_h * k_w * channels; }
};

void im2col(float* cols, const float* x, const Geometry& g, float pad) {
  const int64_t C = g.channels;
  float* o = cols;
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t oh = 0; oh < g.out_h; ++oh)
      for (int64_t ow = 0; ow < g.out_w; ++ow)
        for (int64_t kh = 0; kh < g.k_h; ++kh) {
          const int64_t ih = oh * g.stride_h - g.pad_top + kh * g.dilation_h;
          for (int64_t kw = 0; kw < g.k_w; ++kw, o += C) {
            const int64_t iw = ow * g.stride_w - g.pad_left + kw * g.dilation_w;
            if (ih < 0 || ih >= g.in_h || iw < 0 || iw >= g.in_w) {
              for (int64_t c = 0; c < C; ++c) o[c] = pad;
            } else {
              std::memcpy(o, x + ((n * g.in_h + ih) * g.in_w + iw) * C, static_cast<size_t>(C) * sizeof(float));
            }
          }
        }
}

void col2im(float* image, const float* cols, const Geometry& g) {
  const int64_t C = g.channels;
  const float* o = cols;
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t oh = 0; oh < g.out_h; ++oh)
      for (int64_t ow = 0; ow < g.out_w; ++ow)
        for (int64_t kh = 0; kh < g.k_h; ++kh) {
          const int64_t ih = oh * g.stride_h - g.pad_top + kh * g.dilation_h;
          for (int64_t kw = 0; kw < g.k_w; ++kw, o += C) {
            const int64_t iw = ow * g.stride_w - g.pad_left + kw * g.dilation_w;
            if (ih < 0 || ih >= g.in_h || iw < 0 || iw >= g.in_w) continue;
            float* __restrict dst = image + ((n * g.in_h + ih) * g.in_w + iw) * C;
            const float* __restrict src = o;
            for (int64_t c = 0; c < C; ++c) dst[c] += src[c];
          }
        }
}

// Strictly greater keeps the first maximum; a NaN replaces anything but a NaN (window.ts).
void max_pool(float* values, int32_t* argmax, const float* x, const Geometry& g) {
  const int64_t C = g.channels;
  float* v = values;
  int32_t* a = argmax;
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      const int64_t ih0 = oh * g.stride_h - g.pad_top;
      for (int64_t ow = 0; ow < g.out_w; ++ow, v += C, a += C) {
        const int64_t iw0 = ow * g.stride_w - g.pad_left;
        for (int64_t c = 0; c < C; ++c) {
          v[c] = -INFINITY;
          a[c] = -1;
        }
        for (int64_t kh = 0; kh < g.k_h; ++kh) {
          const int64_t ih = ih0 + kh * g.dilation_h;
          if (ih < 0 || ih >= g.in_h) continue;
          for (int64_t kw = 0; kw < g.k_w; ++kw) {
            const int64_t iw = iw0 + kw * g.dilation_w;
            if (iw < 0 || iw >= g.in_w) continue;
            const int64_t start = ((n * g.in_h + ih) * g.in_w + iw) * C;
            const float* px = x + start;
            const int32_t first = static_cast<int32_t>(start);
            // Branch-free (bitwise |, &) so the channel loop vectorises: activations' signs
            // make a branch here a coin flip.
            for (int64_t c = 0; c < C; ++c) {
              const float value = px[c];
              const float best = v[c];
              const int32_t at = a[c];
              const bool take = (value > best) | (at == -1) | ((value != value) & (best == best));
              v[c] = take ? value : best;
              a[c] = take ? first + static_cast<int32_t>(c) : at;
            }
          }
        }
      }
    }
}

// ── argument checks ─────────────────────────────────────────────────────────────────────────

bool throw_range(napi_env env, const char* fn, const std::string& what) {
  napi_throw_range_error(env, nullptr, (std::string(fn) + ": " + what).c_str());
  return false;
}

template <class T>
bool typed(napi_env env, const char* fn, napi_value v, const char* what, napi_typedarray_type want,
           const char* type_name, T** data, int64_t* length) {
  bool is_ta = false;
  napi_typedarray_type type;
  size_t len;
  void* ptr;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &type, &len, &ptr, nullptr, nullptr) != napi_ok || type != want) {
    napi_throw_type_error(env, nullptr, (std::string(fn) + ": " + what + " must be a " + type_name).c_str());
    return false;
  }
  *data = static_cast<T*>(ptr);
  *length = static_cast<int64_t>(len);
  return true;
}

// Reads and checks the 14 geometry fields: sizes ≥ 0, strides and dilations ≥ 1, and every
// window's first and last tap inside [−pad, size + pad) so no index can overflow int32 math.
bool geometry(napi_env env, const char* fn, napi_value v, Geometry* g) {
  int32_t* f;
  int64_t len;
  if (!typed(env, fn, v, "geometry", napi_int32_array, "Int32Array", &f, &len)) return false;
  if (len != 14) return throw_range(env, fn, "geometry must hold 14 fields");
  *g = Geometry{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13]};
  const int64_t sizes[] = {g->batch, g->in_h, g->in_w, g->channels, g->k_h, g->k_w, g->out_h, g->out_w};
  for (int64_t s : sizes)
    if (s < 0) return throw_range(env, fn, "geometry sizes must be non-negative");
  if (g->stride_h < 1 || g->stride_w < 1 || g->dilation_h < 1 || g->dilation_w < 1)
    return throw_range(env, fn, "strides and dilations must be at least 1");
  const double image = static_cast<double>(g->batch) * g->in_h * g->in_w * g->channels;
  if (image > 2147483647.0) return throw_range(env, fn, "the image has more than 2^31 - 1 elements");
  return true;
}

napi_value get_args(napi_env env, napi_callback_info info, const char* fn, size_t want, napi_value* argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != want) {
    napi_throw_type_error(env, nullptr, (std::string(fn) + ": expected " + std::to_string(want) + " arguments").c_str());
    return nullptr;
  }
  return argv[0];
}

// im2col(cols, x, geometry, padValue)
napi_value Im2col(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!get_args(env, info, "im2col", 4, argv)) return nullptr;
  float *cols, *x;
  int64_t cols_len, x_len;
  Geometry g;
  double pad;
  if (!typed(env, "im2col", argv[0], "cols", napi_float32_array, "Float32Array", &cols, &cols_len) ||
      !typed(env, "im2col", argv[1], "x", napi_float32_array, "Float32Array", &x, &x_len) ||
      !geometry(env, "im2col", argv[2], &g))
    return nullptr;
  if (napi_get_value_double(env, argv[3], &pad) != napi_ok) {
    napi_throw_type_error(env, nullptr, "im2col: padValue must be a number");
    return nullptr;
  }
  if (x_len < g.image_size()) return throw_range(env, "im2col", "x is smaller than the image"), nullptr;
  if (static_cast<double>(cols_len) < static_cast<double>(g.windows()) * g.row_length())
    return throw_range(env, "im2col", "cols is smaller than windows × kH·kW·C"), nullptr;
  im2col(cols, x, g, static_cast<float>(pad));
  return nullptr;
}

// col2im(image, cols, geometry)
napi_value Col2im(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, "col2im", 3, argv)) return nullptr;
  float *image, *cols;
  int64_t image_len, cols_len;
  Geometry g;
  if (!typed(env, "col2im", argv[0], "image", napi_float32_array, "Float32Array", &image, &image_len) ||
      !typed(env, "col2im", argv[1], "cols", napi_float32_array, "Float32Array", &cols, &cols_len) ||
      !geometry(env, "col2im", argv[2], &g))
    return nullptr;
  if (image_len < g.image_size()) return throw_range(env, "col2im", "image is smaller than the geometry's"), nullptr;
  if (static_cast<double>(cols_len) < static_cast<double>(g.windows()) * g.row_length())
    return throw_range(env, "col2im", "cols is smaller than windows × kH·kW·C"), nullptr;
  col2im(image, cols, g);
  return nullptr;
}

// maxPool2d(values, argmax, x, geometry)
napi_value MaxPool2d(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!get_args(env, info, "maxPool2d", 4, argv)) return nullptr;
  float *values, *x;
  int32_t* argmax;
  int64_t values_len, argmax_len, x_len;
  Geometry g;
  if (!typed(env, "maxPool2d", argv[0], "values", napi_float32_array, "Float32Array", &values, &values_len) ||
      !typed(env, "maxPool2d", argv[1], "argmax", napi_int32_array, "Int32Array", &argmax, &argmax_len) ||
      !typed(env, "maxPool2d", argv[2], "x", napi_float32_array, "Float32Array", &x, &x_len) ||
      !geometry(env, "maxPool2d", argv[3], &g))
    return nullptr;
  if (x_len < g.image_size()) return throw_range(env, "maxPool2d", "x is smaller than the image"), nullptr;
  const int64_t out = g.windows() * g.channels;
  if (values_len < out || argmax_len < out)
    return throw_range(env, "maxPool2d", "values or argmax is smaller than windows × C"), nullptr;
  max_pool(values, argmax, x, g);
  return nullptr;
}

napi_status set_function(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  napi_status s = napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn);
  return s == napi_ok ? napi_set_named_property(env, exports, name, fn) : s;
}

}  // namespace

napi_status register_window(napi_env env, napi_value exports) {
  napi_status s = set_function(env, exports, "im2col", Im2col);
  if (s == napi_ok) s = set_function(env, exports, "col2im", Col2im);
  if (s == napi_ok) s = set_function(env, exports, "maxPool2d", MaxPool2d);
  return s;
}

}  // namespace nnlab
