"""PyTorch's fit of the slides' MNIST model, eager: ``nn.Linear`` layers and ``optim.RMSprop``.

**Shape convention.** One example per row, as PyTorch is fed: the training set is an
(N, 784) float32 tensor made before the clock starts; ``nn.Linear`` keeps its weight as
(outputs, inputs), dlmath's ``W``, and computes ``X @ weight.T + bias``.

``torch.optim.RMSprop(lr=0.001, alpha=0.9, eps=1e-7)`` (no momentum, not centred,
initial square average 0) is Keras's RMSprop but for one detail: PyTorch adds ε
*outside* the square root, ``g / (sqrt(v) + ε)``, where Keras, dlmath and optax divide
by ``sqrt(v + ε)``. The two differ only for gradients of about ``sqrt(ε)`` or smaller;
the work is the same. PyTorch keeps its default threading (one thread per core).

PyTorch compiles nothing ahead; its warm-up (see :mod:`frameworks`) trains a throwaway
copy of the model on the first batches.
"""

from __future__ import annotations

import time

import numpy as np

from . import epoch_order, initial_weights, outcome, shuffler, training_rows, warm_up_split


def _model_and_optimizer(weights):
    import torch
    from torch import nn

    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))
    with torch.no_grad():
        for parameter, value in zip(model.parameters(), weights, strict=True):
            parameter.copy_(torch.from_numpy(value))
    optimizer = torch.optim.RMSprop(
        model.parameters(), lr=0.001, alpha=0.9, eps=1e-7, momentum=0.0, centered=False
    )
    return model, optimizer


def _step(model, optimizer, criterion, x, y):
    optimizer.zero_grad(set_to_none=True)
    logits = model(x)
    loss = criterion(logits, y)
    loss.backward()
    optimizer.step()
    return logits, loss


def fit(train, test, *, scale: bool, epochs: int, batch_size: int, seed: int):
    """Fit with PyTorch, eagerly; see :mod:`frameworks` and this module's notes."""
    import torch
    from torch import nn

    weights = initial_weights(seed)
    criterion = nn.CrossEntropyLoss()  # from the logits, mean over the batch
    images = torch.from_numpy(training_rows(train[0], scale))
    labels = torch.from_numpy(np.asarray(train[1], dtype=np.int64))
    n = len(train[1])

    started = time.perf_counter()
    throwaway = _model_and_optimizer(weights)
    first = warm_up_split((images, labels), batch_size)
    for start in range(0, len(first[1]), batch_size):
        stop = start + batch_size
        _step(*throwaway, criterion, first[0][start:stop], first[1][start:stop])
    warm_up_seconds = time.perf_counter() - started
    model, optimizer = _model_and_optimizer(weights)

    rng = shuffler(seed)
    history = {"loss": [], "accuracy": []}
    started = time.perf_counter()
    for _ in range(epochs):
        order = torch.from_numpy(epoch_order(rng, n))
        loss_sum, correct = 0.0, 0
        for start in range(0, n, batch_size):
            index = order[start : start + batch_size]
            x, y = images.index_select(0, index), labels.index_select(0, index)
            logits, loss = _step(model, optimizer, criterion, x, y)
            loss_sum += loss.item() * index.numel()
            correct += int((logits.argmax(dim=1) == y).sum())
        history["loss"].append(loss_sum / n)
        history["accuracy"].append(correct / n)
    fit_seconds = time.perf_counter() - started

    def accuracy(split):
        with torch.no_grad():
            x = torch.from_numpy(training_rows(split[0], scale))
            predicted = model(x).argmax(dim=1).numpy()
        return float(np.mean(predicted == np.asarray(split[1])))

    weights = [p.detach().numpy().copy() for p in model.parameters()]
    return outcome(
        fit_seconds=fit_seconds,
        warm_up_seconds=warm_up_seconds,
        train_accuracy=accuracy(train),
        test_accuracy=accuracy(test),
        history=history,
        weights=weights,
    )
