"""What the PyTorch step peers (torch_cnn_step.py, torch_rnn_step.py) share: timing a training
step the way NN Lab's step benchmarks count one.
"""
import statistics
import time

import torch

WARMUP = 10


def median_step_ms(model, parameters, x, y, steps):
    """The median milliseconds of `steps` Adam steps of softmax cross-entropy on one batch, after
    WARMUP untimed ones. `model(x)` gives the logits. Each step: zero_grad, forward, backward,
    optimizer step, loss.item() (the read NN Lab's fit does too).
    """
    optimizer = torch.optim.Adam(parameters, lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for i in range(WARMUP + steps):
        started = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        loss.item()
        if i >= WARMUP:
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)
