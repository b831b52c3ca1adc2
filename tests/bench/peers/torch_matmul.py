"""PyTorch peer for tests/bench/matmul.ts: float32 matmul GFLOP/s on the CPU.

Usage: python3 torch_matmul.py '<json list of cases>'
Each case: {"name": str, "m": int, "n": int, "k": int, "transA": bool, "transB": bool}; the
operands are stored as NN Lab stores them (A is k×m when transA, B is n×k when transB) and
multiplied through transposed views, as a framework's backward pass does. Prints one JSON
object {"version", "blas", "results": [{"name", "threads", "gflops"}]}, medians of several timed repetitions after warm-up.
"""
import json
import statistics
import sys
import time

import torch


def time_case(case, threads):
    torch.set_num_threads(threads)
    m, n, k = case["m"], case["n"], case["k"]
    a = torch.rand((k, m) if case["transA"] else (m, k), dtype=torch.float32)
    b = torch.rand((n, k) if case["transB"] else (k, n), dtype=torch.float32)
    op_a = a.t() if case["transA"] else a
    op_b = b.t() if case["transB"] else b
    out = torch.empty((m, n), dtype=torch.float32)
    flops = 2.0 * m * n * k
    for _ in range(3):
        torch.matmul(op_a, op_b, out=out)
    samples = []
    started = time.perf_counter()
    while len(samples) < 5 or (time.perf_counter() - started < 0.5 and len(samples) < 2000):
        t0 = time.perf_counter()
        torch.matmul(op_a, op_b, out=out)
        samples.append(time.perf_counter() - t0)
    return flops / statistics.median(samples) / 1e9


def main():
    cases = json.loads(sys.argv[1])
    results = []
    for threads in (1, 2):
        for case in cases:
            results.append({"name": case["name"], "threads": threads, "gflops": time_case(case, threads)})
    config = torch.__config__.show()
    blas = next((part.split("=", 1)[1] for part in config.replace(",", " ").split() if part.startswith("BLAS_INFO=")), "?")
    print(json.dumps({"version": torch.__version__, "blas": blas, "results": results}))


if __name__ == "__main__":
    main()
