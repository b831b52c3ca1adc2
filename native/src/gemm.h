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
// Slot 0 holds a thread's private packing buffers; slot 1 the B blocks shared in a parallel
// product (allocated by the calling thread).
float* thread_workspace(size_t floats, int slot = 0);

// What a parallel product's threads share, provided by addon.cc (so that no atomics or other
// inline library code are compiled inside the instruction-set-specific kernel TUs). Threads
// never wait for each other, only for work: one that the OS has not scheduled yet holds
// nothing up, and joins (or not) whenever it runs.
struct ParallelContext {
  // The next work ticket of `phase` (0, 1, 2, ... across all threads together).
  int64_t (*claim)(void* self, int64_t phase);
  // Records that one ticket of `phase` is done.
  void (*complete)(void* self, int64_t phase);
  // Returns once `total` tickets of `phase` are done.
  void (*wait)(void* self, int64_t phase, int64_t total);
  void* self;
  // Two packed-B buffers of shared_b_floats(args) each, used alternately.
  float* shared_b[2];
};

struct KernelInfo {
  int mr, nr;  // micro-tile
  const char* name;
};

// Serial blocked GEMM on the calling thread. Requires m, n, k > 0.
void sgemm_generic(const SgemmArgs& args);
KernelInfo kernel_info_generic();
// Thread `index` of `count` of one product; all must call it with the same args and ctx.
void sgemm_generic_parallel(const SgemmArgs& args, const ParallelContext& ctx, int index, int count);
size_t shared_b_floats_generic(const SgemmArgs& args);
// Work phases a parallel product goes through (the number of claim counters it needs).
int64_t parallel_phases_generic(const SgemmArgs& args);

// One Adam/AdamW step over n contiguous float32 elements (see addon.cc AdamUpdate).
struct AdamArgs {
  float* p;
  const float* g;
  float* m;
  float* v;
  int64_t n;
  // 1−β computed in float64 before rounding (1.0f − 0.999f is off by 1.3e-5 relative).
  float beta1, one_minus_beta1, beta2, one_minus_beta2, step_size, inv_sqrt_c2, epsilon, decay;
};
void adam_generic(const AdamArgs& args);

#if NNLAB_HAVE_AVX2
void adam_avx2(const AdamArgs& args);
void sgemm_avx2(const SgemmArgs& args);
KernelInfo kernel_info_avx2();
void sgemm_avx2_parallel(const SgemmArgs& args, const ParallelContext& ctx, int index, int count);
size_t shared_b_floats_avx2(const SgemmArgs& args);
int64_t parallel_phases_avx2(const SgemmArgs& args);
#endif

}  // namespace nnlab
