// N-API glue for NN Lab's CPU kernels: argument checks, runtime CPU dispatch, and a small
// persistent thread pool owned by the addon.
//
// Exports (see core/engine/backends/cpu/native-loader.ts for the TypeScript view):
//   abiVersion: number
//   kernel: 'native-avx2' | 'native-generic'
//   sgemm(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, accumulate)
//   setThreads(n): number   (0 = default; returns the count in effect)
//   getThreads(): number
//   adamUpdate(param, grad, m, v, lr, beta1, beta2, epsilon, step, weightDecay)
//   unaryOps, binaryOps, mapUnary, mapBinary, sumLeadingRows (see elementwise.cc)
//   im2col, col2im, maxPool2d (see window.cc)
//   batchNormForward, batchNormBackward (see batch_norm.cc)
//   lstmCellForward, gruCellForward (see recurrent_cells.cc)
#include <node_api.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif
#if defined(_MSC_VER)
#include <intrin.h>
#endif

#include "batch_norm.h"
#include "elementwise.h"
#include "gemm.h"
#include "recurrent_cells.h"
#include "window.h"

namespace nnlab {

// ── per-thread scratch ────────────────────────────────────────────────────────────────────
namespace {
struct Workspace {
  void* raw = nullptr;
  float* aligned = nullptr;
  size_t capacity = 0;
  ~Workspace() { std::free(raw); }
};
thread_local Workspace tls_workspace[2];
}  // namespace

float* thread_workspace(size_t floats, int slot) {
  Workspace& w = tls_workspace[slot];
  if (floats > w.capacity) {
    std::free(w.raw);
    const size_t capacity = floats + floats / 4;  // some headroom against regrowth
    w.raw = std::malloc(capacity * sizeof(float) + 64);
    if (w.raw == nullptr) {
      w.capacity = 0;
      w.aligned = nullptr;
      throw std::bad_alloc();
    }
    const uintptr_t p = reinterpret_cast<uintptr_t>(w.raw);
    w.aligned = reinterpret_cast<float*>((p + 63) & ~static_cast<uintptr_t>(63));
    w.capacity = capacity;
  }
  return w.aligned;
}

// ── CPU dispatch ──────────────────────────────────────────────────────────────────────────
namespace {

bool cpu_has_avx2_fma() {
#if NNLAB_HAVE_AVX2
#if defined(__GNUC__) || defined(__clang__)
  __builtin_cpu_init();
  // libgcc/compiler-rt also check that the OS saves the YMM state (XGETBV).
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#elif defined(_MSC_VER)
  int info[4];
  __cpuid(info, 0);
  if (info[0] < 7) return false;
  __cpuid(info, 1);
  const bool fma = (info[2] & (1 << 12)) != 0;
  const bool osxsave = (info[2] & (1 << 27)) != 0;
  const bool avx = (info[2] & (1 << 28)) != 0;
  if (!(fma && osxsave && avx)) return false;
  if ((_xgetbv(0) & 0x6) != 0x6) return false;
  __cpuidex(info, 7, 0);
  return (info[1] & (1 << 5)) != 0;
#else
  return false;
#endif
#else
  return false;
#endif
}

using SerialGemm = void (*)(const SgemmArgs&);

struct Kernel {
  SerialGemm gemm;
  KernelInfo info;
};

Kernel select_kernel() {
  const char* force = std::getenv("NNLAB_NATIVE_GENERIC");
#if NNLAB_HAVE_AVX2
  if (!(force != nullptr && force[0] == '1') && cpu_has_avx2_fma()) return {sgemm_avx2, kernel_info_avx2()};
#else
  (void)force;
#endif
  return {sgemm_generic, kernel_info_generic()};
}

const Kernel& kernel() {
  static const Kernel k = select_kernel();
  return k;
}

// ── thread pool ───────────────────────────────────────────────────────────────────────────
// Workers spin briefly after a job (back-to-back products are common in a training step),
// then sleep on a condition variable. The calling thread always takes part as thread 0. One
// caller at a time: a concurrent caller (another worker_thread) runs serially instead of
// oversubscribing the cores.

inline void cpu_relax() {
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)

#if defined(_MSC_VER)
  _mm_pause();
#else
  __builtin_ia32_pause();
#endif
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

int default_threads() {
  int n = 0;
  if (const char* env = std::getenv("NNLAB_THREADS")) n = std::atoi(env);
  if (n > 0) return n > 64 ? 64 : n;
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) n = CPU_COUNT(&set);
#endif
  if (n <= 0) n = static_cast<int>(std::thread::hardware_concurrency());
  if (n <= 0) n = 1;
  return n > 8 ? 8 : n;  // the products here do not gain beyond a few cores
}

using Job = void (*)(void* ctx, int index, int count);

// A job is open to helpers from run() until the caller's own share returns — by then the job
// (a parallel product) is complete, since its threads wait only for work, not for each other.
// A worker joins only while the job is open and under the thread budget; run() closes the
// job and waits just for workers that joined, so a worker the OS has not scheduled yet never
// holds the caller up, and never touches a finished job.
class Pool {
 public:
  explicit Pool(int workers) {
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { loop(); });
    for (auto& t : threads_) t.detach();  // the pool lives as long as the process
  }

  int size() const { return static_cast<int>(threads_.size()) + 1; }

  // Runs job(ctx, index, count) on the calling thread (index 0) and on up to count − 1
  // workers that join while it runs; returns when the caller's share and all joiners are done.
  void run(Job job, void* ctx, int count) {
    job_ = job;
    ctx_ = ctx;
    count_ = count;
    state_.store(kOpen, std::memory_order_release);  // open, nobody joined
    generation_.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      cv_.notify_all();
    }
    job(ctx, 0, count);
    state_.fetch_and(~kOpen, std::memory_order_acq_rel);  // close
    int spins = 0;
    while (state_.load(std::memory_order_acquire) != 0) {  // joiners still inside
      if (++spins < 1 << 12) cpu_relax();
      else std::this_thread::yield();
    }
  }

 private:
  static constexpr uint32_t kOpen = 1u << 31;

  bool try_join(int* index) {
    uint32_t s = state_.load(std::memory_order_acquire);
    while ((s & kOpen) != 0 && static_cast<int>(s & ~kOpen) < count_limit()) {
      if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
        *index = static_cast<int>(s & ~kOpen) + 1;
        return true;
      }
    }
    return false;
  }

  // Read only while the job is open (a joiner's CAS synchronises with run()'s store).
  int count_limit() const { return count_ - 1; }

  void loop() {
    uint64_t seen = 0;
    for (;;) {
      uint64_t g = generation_.load(std::memory_order_acquire);
      if (g == seen) {
        // Spin for a while (~100 µs) before sleeping: products often come back to back.
        const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(100);
        for (int i = 0; g == seen; ++i) {
          cpu_relax();
          g = generation_.load(std::memory_order_acquire);
          if ((i & 255) == 255 && std::chrono::steady_clock::now() > until) break;
        }
      }
      if (g == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        cv_.wait(lock, [&] { return generation_.load(std::memory_order_seq_cst) != seen; });
        sleepers_.fetch_sub(1, std::memory_order_relaxed);
        g = generation_.load(std::memory_order_acquire);
      }
      seen = g;
      int index = 0;
      if (try_join(&index)) {
        job_(ctx_, index, count_);
        state_.fetch_sub(1, std::memory_order_acq_rel);
      }
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint32_t> state_{0};  // kOpen | number of joined workers
  std::atomic<int> sleepers_{0};
  Job job_ = nullptr;
  void* ctx_ = nullptr;
  int count_ = 0;
};

std::mutex pool_mutex;  // held by the one caller using the pool
Pool* pool = nullptr;   // created on first parallel use, never destroyed
std::atomic<int> wanted_threads{0};

int threads_in_effect() {
  const int w = wanted_threads.load();
  return w > 0 ? w : default_threads();
}

// ── parallel GEMM ─────────────────────────────────────────────────────────────────────────
// Below this many multiply-adds a product runs on the calling thread: waking a worker and
// sharing the packing costs more than it saves (the MLP step's 64×784×128 products stay
// serial; see BENCHMARKS).
constexpr int64_t kParallelMinMacs = int64_t{24} << 20;

// Shared state of one parallel product: per work phase, a ticket counter and a done counter.
class ParallelProduct {
 public:
  explicit ParallelProduct(int64_t phases)
      : tickets_(static_cast<size_t>(phases)), done_(static_cast<size_t>(phases)) {
    for (auto& c : tickets_) c.store(0, std::memory_order_relaxed);
    for (auto& c : done_) c.store(0, std::memory_order_relaxed);
  }

  static int64_t claim(void* self, int64_t phase) {
    return static_cast<ParallelProduct*>(self)->tickets_[static_cast<size_t>(phase)].fetch_add(
        1, std::memory_order_relaxed);
  }

  static void complete(void* self, int64_t phase) {
    static_cast<ParallelProduct*>(self)->done_[static_cast<size_t>(phase)].fetch_add(1, std::memory_order_release);
  }

  static void wait(void* self, int64_t phase, int64_t total) {
    const auto& done = static_cast<ParallelProduct*>(self)->done_[static_cast<size_t>(phase)];
    for (int spins = 0; done.load(std::memory_order_acquire) < total; ++spins) {
      if (spins < 4096) cpu_relax();
      else std::this_thread::yield();  // the thread finishing it may have lost its core
    }
  }

 private:
  std::vector<std::atomic<int64_t>> tickets_;
  std::vector<std::atomic<int64_t>> done_;
};

using ParallelGemm = void (*)(const SgemmArgs&, const ParallelContext&, int, int);

struct ParallelJob {
  const SgemmArgs* args;
  const ParallelContext* ctx;
  ParallelGemm gemm;
};

void run_parallel_part(void* job, int index, int count) {
  const auto& j = *static_cast<const ParallelJob*>(job);
  j.gemm(*j.args, *j.ctx, index, count);
}

struct ParallelKernel {
  ParallelGemm gemm;
  size_t (*shared_b_floats)(const SgemmArgs&);
  int64_t (*phases)(const SgemmArgs&);
};

ParallelKernel parallel_kernel(const Kernel& k) {
#if NNLAB_HAVE_AVX2
  if (k.gemm == sgemm_avx2) return {sgemm_avx2_parallel, shared_b_floats_avx2, parallel_phases_avx2};
#endif
  (void)k;
  return {sgemm_generic_parallel, shared_b_floats_generic, parallel_phases_generic};
}

void sgemm_dispatch(const SgemmArgs& args) {
  const Kernel& k = kernel();
  const int threads = threads_in_effect();
  const int64_t macs = args.m * args.n * args.k;
  if (threads > 1 && macs >= kParallelMinMacs) {
    std::unique_lock<std::mutex> lock(pool_mutex, std::try_to_lock);
    if (lock.owns_lock()) {
      if (pool == nullptr || pool->size() < threads) {
        // Growing replaces the pool; the old one's workers sleep forever (rare: setThreads up).
        pool = new Pool(threads - 1);
      }
      const ParallelKernel pk = parallel_kernel(k);
      const size_t shared = pk.shared_b_floats(args);
      float* b = thread_workspace(2 * shared + 16, 1);
      ParallelProduct product(pk.phases(args));
      ParallelContext ctx{ParallelProduct::claim,
                          ParallelProduct::complete,
                          ParallelProduct::wait,
                          &product,
                          {b, b + ((shared + 15) & ~size_t{15})}};
      ParallelJob job{&args, &ctx, pk.gemm};
      pool->run(run_parallel_part, &job, threads);
      return;
    }
  }
  k.gemm(args);
}

// ── N-API ─────────────────────────────────────────────────────────────────────────────────

#define NAPI_CALL(env, call)                                   \
  do {                                                         \
    if ((call) != napi_ok) {                                   \
      napi_throw_error((env), nullptr, "napi call failed: " #call); \
      return nullptr;                                          \
    }                                                          \
  } while (0)

bool get_index(napi_env env, napi_value v, const char* what, int64_t* out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0) || d > 9007199254740991.0 ||
      d != static_cast<double>(static_cast<int64_t>(d))) {
    std::string msg = std::string("sgemm: ") + what + " must be a non-negative integer";
    napi_throw_range_error(env, nullptr, msg.c_str());
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

bool get_f32(napi_env env, napi_value v, const char* what, float** data, int64_t* length) {
  napi_typedarray_type type;
  size_t len;
  void* ptr;
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &type, &len, &ptr, nullptr, nullptr) != napi_ok ||
      type != napi_float32_array) {
    std::string msg = std::string("sgemm: ") + what + " must be a Float32Array";
    napi_throw_type_error(env, nullptr, msg.c_str());
    return false;
  }
  *data = static_cast<float*>(ptr);
  *length = static_cast<int64_t>(len);
  return true;
}

// A stored matrix of `rows` × `cols` (as laid out in memory) at `offset` with leading dim `ld`.
bool check_matrix(napi_env env, const char* what, int64_t length, int64_t offset, int64_t ld, int64_t rows,
                  int64_t cols) {
  if (rows == 0 || cols == 0) return true;
  if (ld < cols) {
    std::string msg = std::string("sgemm: leading dimension of ") + what + " is smaller than its row length";
    napi_throw_range_error(env, nullptr, msg.c_str());
    return false;
  }
  // (rows-1)·ld + cols fits in a double exactly for any real array; compare without overflow.
  const double last = static_cast<double>(offset) + static_cast<double>(rows - 1) * static_cast<double>(ld) +
                      static_cast<double>(cols);
  if (last > static_cast<double>(length)) {
    std::string msg = std::string("sgemm: ") + what + " is out of bounds of its array";
    napi_throw_range_error(env, nullptr, msg.c_str());
    return false;
  }
  return true;
}

bool get_bool(napi_env env, napi_value v, bool* out) {
  if (napi_get_value_bool(env, v, out) != napi_ok) {
    napi_throw_type_error(env, nullptr, "sgemm: transpose and accumulate flags must be booleans");
    return false;
  }
  return true;
}

napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 15;
  napi_value argv[15];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc != 15) {
    napi_throw_type_error(env, nullptr, "sgemm: expected 15 arguments");
    return nullptr;
  }
  bool ta, tb, acc;
  int64_t m, n, k, ao, lda, bo, ldb, co, ldc, alen, blen, clen;
  float *a, *b, *c;
  if (!get_bool(env, argv[0], &ta) || !get_bool(env, argv[1], &tb) || !get_index(env, argv[2], "m", &m) ||
      !get_index(env, argv[3], "n", &n) || !get_index(env, argv[4], "k", &k) ||
      !get_f32(env, argv[5], "a", &a, &alen) || !get_index(env, argv[6], "aOffset", &ao) ||
      !get_index(env, argv[7], "lda", &lda) || !get_f32(env, argv[8], "b", &b, &blen) ||
      !get_index(env, argv[9], "bOffset", &bo) || !get_index(env, argv[10], "ldb", &ldb) ||
      !get_f32(env, argv[11], "c", &c, &clen) || !get_index(env, argv[12], "cOffset", &co) ||
      !get_index(env, argv[13], "ldc", &ldc) || !get_bool(env, argv[14], &acc))
    return nullptr;
  if (m == 0 || n == 0) return nullptr;
  if (!check_matrix(env, "c", clen, co, ldc, m, n)) return nullptr;
  if (k == 0) {
    if (!acc)
      for (int64_t i = 0; i < m; ++i) std::memset(c + co + i * ldc, 0, static_cast<size_t>(n) * sizeof(float));
    return nullptr;
  }
  if (!check_matrix(env, "a", alen, ao, lda, ta ? k : m, ta ? m : k)) return nullptr;
  if (!check_matrix(env, "b", blen, bo, ldb, tb ? n : k, tb ? k : n)) return nullptr;
  SgemmArgs args{ta, tb, m, n, k, a + ao, lda, b + bo, ldb, c + co, ldc, acc};
  try {
    sgemm_dispatch(args);
  } catch (const std::bad_alloc&) {
    napi_throw_error(env, nullptr, "sgemm: out of memory for packing buffers");
  }
  return nullptr;
}

// adamUpdate(param, grad, m, v, lr, beta1, beta2, epsilon, step, weightDecay): one Adam/AdamW
// step in place over equal-length Float32Arrays (the Backend.adamUpdate rule).
napi_value AdamUpdate(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc != 10) {
    napi_throw_type_error(env, nullptr, "adamUpdate: expected 10 arguments");
    return nullptr;
  }
  float* arrays[4];
  int64_t lengths[4];
  const char* names[4] = {"param", "grad", "m", "v"};
  for (int i = 0; i < 4; ++i)
    if (!get_f32(env, argv[i], names[i], &arrays[i], &lengths[i])) return nullptr;
  if (lengths[1] != lengths[0] || lengths[2] != lengths[0] || lengths[3] != lengths[0]) {
    napi_throw_range_error(env, nullptr, "adamUpdate: param, grad, m and v must have the same length");
    return nullptr;
  }
  double h[6];  // lr, beta1, beta2, epsilon, step, weightDecay
  for (int i = 0; i < 6; ++i) {
    if (napi_get_value_double(env, argv[4 + i], &h[i]) != napi_ok || !std::isfinite(h[i])) {
      napi_throw_type_error(env, nullptr, "adamUpdate: hyperparameters must be finite numbers");
      return nullptr;
    }
  }
  if (!(h[4] >= 1) || h[4] != std::floor(h[4])) {
    napi_throw_range_error(env, nullptr, "adamUpdate: step must be an integer >= 1");
    return nullptr;
  }
  // Bias corrections and step size in float64, as the TypeScript kernel computes them.
  const double c1 = 1 - std::pow(h[1], h[4]);
  const double c2 = 1 - std::pow(h[2], h[4]);
  AdamArgs args{arrays[0],
                arrays[1],
                arrays[2],
                arrays[3],
                lengths[0],
                static_cast<float>(h[1]),
                static_cast<float>(1 - h[1]),
                static_cast<float>(h[2]),
                static_cast<float>(1 - h[2]),
                static_cast<float>(h[0] / c1),
                static_cast<float>(1 / std::sqrt(c2)),
                static_cast<float>(h[3]),
                static_cast<float>(1 - h[0] * h[5])};
#if NNLAB_HAVE_AVX2
  if (kernel().gemm == sgemm_avx2) {
    adam_avx2(args);
    return nullptr;
  }
#endif
  adam_generic(args);
  return nullptr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int32_t n = 0;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 0) {
    napi_throw_range_error(env, nullptr, "setThreads: expected a non-negative integer (0 = default)");
    return nullptr;
  }
  wanted_threads.store(n > 64 ? 64 : n);
  napi_value out;
  NAPI_CALL(env, napi_create_int32(env, threads_in_effect(), &out));
  return out;
}

napi_value GetThreads(napi_env env, napi_callback_info) {
  napi_value out;
  NAPI_CALL(env, napi_create_int32(env, threads_in_effect(), &out));
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value fn, value;
  NAPI_CALL(env, napi_create_function(env, "sgemm", NAPI_AUTO_LENGTH, Sgemm, nullptr, &fn));
  NAPI_CALL(env, napi_set_named_property(env, exports, "sgemm", fn));
  NAPI_CALL(env, napi_create_function(env, "adamUpdate", NAPI_AUTO_LENGTH, AdamUpdate, nullptr, &fn));
  NAPI_CALL(env, napi_set_named_property(env, exports, "adamUpdate", fn));
  NAPI_CALL(env, napi_create_function(env, "setThreads", NAPI_AUTO_LENGTH, SetThreads, nullptr, &fn));
  NAPI_CALL(env, napi_set_named_property(env, exports, "setThreads", fn));
  NAPI_CALL(env, napi_create_function(env, "getThreads", NAPI_AUTO_LENGTH, GetThreads, nullptr, &fn));
  NAPI_CALL(env, napi_set_named_property(env, exports, "getThreads", fn));
  NAPI_CALL(env, register_elementwise(env, exports));
  NAPI_CALL(env, register_window(env, exports));
  NAPI_CALL(env, register_batch_norm(env, exports));
  NAPI_CALL(env, register_recurrent_cells(env, exports));
  NAPI_CALL(env, napi_create_int32(env, 4, &value));
  NAPI_CALL(env, napi_set_named_property(env, exports, "abiVersion", value));
  NAPI_CALL(env, napi_create_string_utf8(env, kernel().info.name, NAPI_AUTO_LENGTH, &value));
  NAPI_CALL(env, napi_set_named_property(env, exports, "kernel", value));
  return exports;
}

}  // namespace
}  // namespace nnlab

NAPI_MODULE_INIT() { return nnlab::Init(env, exports); }
