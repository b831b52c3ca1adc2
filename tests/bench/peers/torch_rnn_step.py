"""PyTorch peer for tests/bench/rnn-step.ts: one training step of a recurrent classifier.

Usage: python3 torch_rnn_step.py '<json options>'
Options: {"batch": 64, "threads": [1, 2], "steps": 40, "units": 64, "time": 28, "features": 28}.
For each of LSTM, GRU and a simple RNN (tanh): the layer over [batch, time, features], its last
output into a dense 10, softmax cross-entropy from logits, Adam 1e-3, random inputs. Each step:
zero_grad, forward, backward, optimizer step, loss.item(); the median of `steps` timed steps
after 10 untimed ones, per thread count.
Prints {"version", "results": [{"model", "threads", "batch", "stepMs"}]}.
"""
import json
import sys

import torch

from torch_step import median_step_ms

KINDS = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "simpleRNN": torch.nn.RNN}


def step_ms(kind, batch, steps, units, length, features):
    torch.manual_seed(0)
    rnn = KINDS[kind](features, units, batch_first=True)
    head = torch.nn.Linear(units, 10)
    x = torch.rand(batch, length, features)
    y = torch.randint(0, 10, (batch,))
    # The layer's last output into the dense head.
    return median_step_ms(lambda v: head(rnn(v)[0][:, -1]), list(rnn.parameters()) + list(head.parameters()), x, y, steps)


def main():
    o = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    batch = o.get("batch", 64)
    results = []
    for threads in o.get("threads", [1, 2]):
        torch.set_num_threads(threads)
        for kind in KINDS:
            ms = step_ms(kind, batch, o.get("steps", 40), o.get("units", 64), o.get("time", 28), o.get("features", 28))
            results.append({"model": kind, "threads": threads, "batch": batch, "stepMs": ms})
    print(json.dumps({"version": torch.__version__, "results": results}))


if __name__ == "__main__":
    main()
