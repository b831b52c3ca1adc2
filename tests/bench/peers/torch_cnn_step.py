"""PyTorch peer for tests/bench/cnn-step.ts: one training step of the Fashion-MNIST CNN.

Usage: python3 torch_cnn_step.py '<json options>'
Options: {"batch": 64, "threads": [1, 2], "steps": 40}.
The same network as NN Lab's (examples/fashion-mnist.ts): 2 x (conv 3x3 'same' without bias,
batch norm, relu, max-pool 2x2) with 32 and 64 filters, flatten, dense 128 relu, dropout 0.3,
dense 10; softmax cross-entropy from logits; Adam 1e-3. Random inputs (the cost does not depend
on the values). Each step: zero_grad, forward, backward, optimizer step, loss.item(). The median
of `steps` timed steps after 10 untimed ones, per thread count.
Prints one JSON object {"version", "results": [{"threads", "batch", "stepMs"}]}.
"""
import json
import sys

import torch

from torch_step import median_step_ms


def model():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3, padding=1, bias=False),
        torch.nn.BatchNorm2d(32, eps=1e-3, momentum=0.01),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, padding=1, bias=False),
        torch.nn.BatchNorm2d(64, eps=1e-3, momentum=0.01),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(64 * 7 * 7, 128),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.3),
        torch.nn.Linear(128, 10),
    )


def step_ms(batch, steps):
    net = model()
    net.train()
    x = torch.rand(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))
    return median_step_ms(net, net.parameters(), x, y, steps)


def main():
    options = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    batch = options.get("batch", 64)
    results = []
    for threads in options.get("threads", [1, 2]):
        torch.set_num_threads(threads)
        results.append({"threads": threads, "batch": batch, "stepMs": step_ms(batch, options.get("steps", 40))})
    print(json.dumps({"version": torch.__version__, "results": results}))


if __name__ == "__main__":
    main()
