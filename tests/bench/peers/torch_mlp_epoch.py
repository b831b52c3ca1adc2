"""PyTorch peer for tests/bench/training.ts: one epoch of Fashion-MNIST with an MLP 784-128-10.

Usage: python3 torch_mlp_epoch.py '<json options>'
Options: {"folder": str, "batch": 64, "threads": [1, 2], "stepBatches": [64, 256]}.
The same work as NN Lab's epoch: pixels scaled to [0, 1] and held in memory, a seeded shuffle
per epoch, each batch's rows taken by index, relu, softmax cross-entropy from logits, Adam 1e-3
(PyTorch's default Linear initialisation). One untimed warm-up epoch, then one timed epoch per
thread count; the training step alone is timed at each of stepBatches (median after warm-up).
Prints one JSON object {"version", "blas", "results": [...]}.
"""
import gzip
import json
import os
import statistics
import struct
import sys
import time

import torch


def read_idx(folder, name):
    path = os.path.join(folder, name)
    opener = gzip.open if os.path.exists(path + ".gz") else open
    with opener(path + ".gz" if os.path.exists(path + ".gz") else path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    rank = magic & 0xFF
    dims = struct.unpack(">" + "I" * rank, data[4 : 4 + 4 * rank])
    return torch.frombuffer(bytearray(data[4 + 4 * rank :]), dtype=torch.uint8).reshape(dims)


def model_and_optimizer():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    return model, torch.optim.Adam(model.parameters(), lr=1e-3)


def step(model, optimizer, loss_fn, xb, yb):
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model(xb), yb)
    loss.backward()
    optimizer.step()
    return loss


def epoch(model, optimizer, loss_fn, x, y, batch, generator):
    order = torch.randperm(x.shape[0], generator=generator)
    total = 0.0
    for start in range(0, x.shape[0], batch):
        idx = order[start : start + batch]
        total += step(model, optimizer, loss_fn, x[idx], y[idx]).item()
    return total


def time_step(batch):
    model, optimizer = model_and_optimizer()
    loss_fn = torch.nn.CrossEntropyLoss()
    xb = torch.rand(batch, 784)
    yb = torch.randint(0, 10, (batch,))
    for _ in range(20):
        step(model, optimizer, loss_fn, xb, yb).item()
    samples = []
    started = time.perf_counter()
    while len(samples) < 50 or time.perf_counter() - started < 1.0:
        t0 = time.perf_counter()
        step(model, optimizer, loss_fn, xb, yb).item()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000


def blas_library():
    """The BLAS this process loaded (Debian's torch calls whatever libblas.so.3 points to)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
    except OSError:
        return "?"
    return ", ".join(sorted(os.path.join(os.path.basename(os.path.dirname(p)), os.path.basename(p)) for p in paths)) or "?"


def main():
    options = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    folder = options.get("folder", "/usr/share/datasets/fashion-mnist")
    batch = options.get("batch", 64)
    x = read_idx(folder, "train-images-idx3-ubyte").reshape(-1, 784).float() / 255
    y = read_idx(folder, "train-labels-idx1-ubyte").long()
    loss_fn = torch.nn.CrossEntropyLoss()
    results = []
    for threads in options.get("threads", [1, 2]):
        torch.set_num_threads(threads)
        model, optimizer = model_and_optimizer()
        generator = torch.Generator().manual_seed(1)
        epoch(model, optimizer, loss_fn, x, y, batch, generator)  # warm-up
        t0 = time.perf_counter()
        total = epoch(model, optimizer, loss_fn, x, y, batch, generator)
        seconds = time.perf_counter() - t0
        steps = (x.shape[0] + batch - 1) // batch
        row = {"threads": threads, "batch": batch, "steps": steps, "epochSeconds": seconds, "meanLoss": total / steps}
        row["stepMs"] = {str(b): time_step(b) for b in options.get("stepBatches", [64, 256])}
        results.append(row)
    print(json.dumps({"version": torch.__version__, "blas": blas_library(), "results": results}))


if __name__ == "__main__":
    main()
