// Shared declarations between the N-API glue (addon.cc) and the kernel translation units.
//
// Each kernel TU (kernels_avx2.cc, kernels_generic.cc) is compiled with its own instruction-set
// flags and exports exactly the functions below with C++ linkage; everything else inside them
// has internal linkage, so no inline function compiled for AVX2 can leak into the generic path.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nnlab {

// One row-major single-precision product C = op(A)·op(B) (+ C when accumulate).
// Pointers are already offset to the first element; leading dimensions are in elements.
struct SgemmArgs {
  bool trans_a;
  bool trans_b;
  int64_t m, n, k;
  const float* a;
  int64_t lda;
  const float* b;
  int64_t ldb;
  float* c;
  int64_t ldc;
  bool accumulate;
};

// Growable, 64-byte aligned scratch memory owned by the calling thread (see addon.cc).
float* thread_workspace(size_t floats);

struct KernelInfo {
  int mr, nr;  // micro-tile
  const char* name;
};

// Serial blocked GEMM on the calling thread. Requires m, n, k > 0.
void sgemm_generic(const SgemmArgs& args);
KernelInfo kernel_info_generic();

#if NNLAB_HAVE_AVX2
void sgemm_avx2(const SgemmArgs& args);
KernelInfo kernel_info_avx2();
#endif

}  // namespace nnlab
