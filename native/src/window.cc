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

#include "napi_args.h"

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

// Reads and checks the 14 geometry fields of argument i: sizes ≥ 0, strides and dilations ≥ 1,
// an image of under 2^31 elements. The kernels bound-check every tap, so nothing more is needed.
bool geometry(const CallArgs& args, size_t i, Geometry* g) {
  int32_t* f;
  int64_t len;
  if (!args.array(i, "geometry", napi_int32_array, "Int32Array", &f, &len)) return false;
  if (len != 14) return args.fail_range("geometry must hold 14 fields");
  *g = Geometry{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13]};
  const int64_t sizes[] = {g->batch, g->in_h, g->in_w, g->channels, g->k_h, g->k_w, g->out_h, g->out_w};
  for (int64_t s : sizes)
    if (s < 0) return args.fail_range("geometry sizes must be non-negative");
  if (g->stride_h < 1 || g->stride_w < 1 || g->dilation_h < 1 || g->dilation_w < 1)
    return args.fail_range("strides and dilations must be at least 1");
  const double image = static_cast<double>(g->batch) * g->in_h * g->in_w * g->channels;
  if (image > 2147483647.0) return args.fail_range("the image has more than 2^31 - 1 elements");
  return true;
}

// im2col(cols, x, geometry, padValue)
napi_value Im2col(napi_env env, napi_callback_info info) {
  CallArgs args(env, "im2col");
  float *cols, *x;
  int64_t cols_len, x_len;
  Geometry g;
  double pad;
  if (!args.read(info, 4) || !args.floats(0, "cols", &cols, &cols_len) || !args.floats(1, "x", &x, &x_len) ||
      !geometry(args, 2, &g) || !args.number(3, "padValue", &pad))
    return nullptr;
  if (x_len < g.image_size()) return args.fail_range("x is smaller than the image"), nullptr;
  if (static_cast<double>(cols_len) < static_cast<double>(g.windows()) * g.row_length())
    return args.fail_range("cols is smaller than windows × kH·kW·C"), nullptr;
  im2col(cols, x, g, static_cast<float>(pad));
  return nullptr;
}

// col2im(image, cols, geometry)
napi_value Col2im(napi_env env, napi_callback_info info) {
  CallArgs args(env, "col2im");
  float *image, *cols;
  int64_t image_len, cols_len;
  Geometry g;
  if (!args.read(info, 3) || !args.floats(0, "image", &image, &image_len) ||
      !args.floats(1, "cols", &cols, &cols_len) || !geometry(args, 2, &g))
    return nullptr;
  if (image_len < g.image_size()) return args.fail_range("image is smaller than the geometry's"), nullptr;
  if (static_cast<double>(cols_len) < static_cast<double>(g.windows()) * g.row_length())
    return args.fail_range("cols is smaller than windows × kH·kW·C"), nullptr;
  col2im(image, cols, g);
  return nullptr;
}

// maxPool2d(values, argmax, x, geometry)
napi_value MaxPool2d(napi_env env, napi_callback_info info) {
  CallArgs args(env, "maxPool2d");
  float *values, *x;
  int32_t* argmax;
  int64_t values_len, argmax_len, x_len;
  Geometry g;
  if (!args.read(info, 4) || !args.floats(0, "values", &values, &values_len) ||
      !args.array(1, "argmax", napi_int32_array, "Int32Array", &argmax, &argmax_len) ||
      !args.floats(2, "x", &x, &x_len) || !geometry(args, 3, &g))
    return nullptr;
  if (x_len < g.image_size()) return args.fail_range("x is smaller than the image"), nullptr;
  const int64_t out = g.windows() * g.channels;
  if (values_len < out || argmax_len < out)
    return args.fail_range("values or argmax is smaller than windows × C"), nullptr;
  max_pool(values, argmax, x, g);
  return nullptr;
}

}  // namespace

napi_status register_window(napi_env env, napi_value exports) {
  napi_status s = set_function(env, exports, "im2col", Im2col);
  if (s == napi_ok) s = set_function(env, exports, "col2im", Col2im);
  if (s == napi_ok) s = set_function(env, exports, "maxPool2d", MaxPool2d);
  return s;
}

}  // namespace nnlab
