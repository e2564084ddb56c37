"""The slides' MNIST fit in every framework the benchmark measures, one module each.

**Shape convention.** dlmath keeps one example per column (``W·X + B`` with ``W`` of
shape (outputs, inputs)); Keras, JAX and PyTorch are fed one example per row, an
(N, 784) float32 array, each in the layout it computes best. :func:`initial_weights`
gives the starting weights in dlmath's layout; each module transposes them as its
framework wants.

Every module has one function, ``fit(train, test, *, scale, epochs, batch_size, seed)``,
which imports its framework inside, fits the same model with the same algorithm and
returns a :class:`dict` (see :func:`outcome`): 784 → 512 ReLU → 10 softmax, Glorot-uniform
weights and zero biases, RMSprop (learning rate 0.001, ρ = 0.9, ε = 1e-7, no momentum,
not centred, initial velocity 0), the sparse categorical cross-entropy from the logits,
the training set reshuffled every epoch, float32. Only the fit is timed: the data are
converted to the framework's layout and dtype before the clock starts; compilation
(Numba's kernels, XLA's program) happens before it too and is reported apart; and so
does a **warm-up**: each framework first trains a throwaway model on the first batches
(:func:`warm_up_split`, which has every batch size of the fit), so that the timed fit
does not pay for the process's first use of its thread pools, kernels and memory (a
fit runs in a fresh process). Keras traces the training function of each new model
inside ``fit``, as the slides' code does: that stays in its time.

dlmath, JAX and PyTorch start from the same weights, :func:`initial_weights` (the
weights of ``dlmath.mnist.build_model(seed)``), and visit the batches in the same order,
:func:`epoch_order`; Keras draws its own (``keras.utils.set_random_seed(seed)``).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util

import numpy as np

#: Every framework the benchmark knows, in the order of its table.
FRAMEWORKS = ("dlmath-fast", "dlmath-reference", "keras", "jax", "torch")

#: The module of each framework, and the modules it needs.
_MODULES = {
    "dlmath-fast": ("dlmath_fit", ("numba",)),
    "dlmath-reference": ("dlmath_fit", ()),
    "keras": ("keras_fit", ("tensorflow",)),
    "jax": ("jax_fit", ("jax", "optax")),
    "torch": ("torch_fit", ("torch",)),
}

#: The frameworks that are dlmath (the others are what it is compared with).
DLMATH = ("dlmath-fast", "dlmath-reference")

_NAMES = {"numba": "Numba", "tensorflow": "TensorFlow", "jax": "JAX", "optax": "optax"}
_NAMES["torch"] = "PyTorch"


def missing(framework: str) -> list[str]:
    """The modules ``framework`` needs that cannot be found (without importing them)."""
    return [name for name in _MODULES[framework][1] if importlib.util.find_spec(name) is None]


def missing_note(framework: str) -> str:
    """'PyTorch not installed: skipped', or the like."""
    names = " and ".join(_NAMES[name] for name in missing(framework))
    return f"{names} not installed: skipped"


def fit_function(framework: str):
    """The ``fit`` function of ``framework`` (importing its module, not its framework)."""
    if framework not in _MODULES:
        raise ValueError(f"framework must be one of {FRAMEWORKS}; got {framework!r}")
    module = importlib.import_module(f"{__name__}.{_MODULES[framework][0]}")
    if framework.startswith("dlmath-"):
        engine = framework.removeprefix("dlmath-")
        return lambda *args, **kwargs: module.fit(*args, engine=engine, **kwargs)
    return module.fit


def batch_sizes(n: int, batch_size: int) -> list[int]:
    """The sizes of an epoch's batches: full ones, then the rest (60,000 by 128: 468 of
    128 and one of 96)."""
    return [min(batch_size, n - start) for start in range(0, n, batch_size)]


def warm_up_split(train, batch_size: int):
    """The first images and labels of ``train``, enough for two full batches and the
    epoch's last, smaller batch (352 of MNIST's 60,000 in batches of 128)."""
    images, labels = train
    n = len(labels)
    count = min(n, 2 * batch_size + n % batch_size)
    return images[:count], labels[:count]


def training_rows(images, scale: bool) -> np.ndarray:
    """Images (N, 28, 28) or (N, 784) as a C-ordered float32 (N, 784) array, / 255 if
    ``scale`` (the division in float32, as ``dlmath.mnist.images_to_columns`` does)."""
    rows = np.array(np.asarray(images).reshape(len(images), -1), dtype=np.float32, order="C")
    if scale:
        np.divide(rows, np.float32(255), out=rows)
    return rows


def initial_weights(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """W1 (512, 784), B1 (512,), W2 (10, 512), B2 (10,): ``build_model(seed)``'s weights.

    Glorot-uniform weights and zero biases, in dlmath's layout, float32.
    """
    from dlmath.mnist import build_model

    model = build_model(seed)
    W1, B1, W2, B2 = (np.array(p, dtype=np.float32) for p in model.parameters())
    return W1, B1.ravel(), W2, B2.ravel()


def shuffler(seed: int) -> np.random.Generator:
    """The generator of the epochs' orders: the one ``dlmath.mnist`` gives ``fit``."""
    return np.random.default_rng([seed, 1])


def epoch_order(rng: np.random.Generator, n: int) -> np.ndarray:
    """The order of the examples in the next epoch, as dlmath's ``fit`` draws it."""
    return rng.permutation(n)


def weights_digest(arrays) -> str:
    """SHA-256 of the weights' bytes (in the given order), to compare two fits bit for bit."""
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def outcome(
    *,
    fit_seconds: float,
    train_accuracy: float,
    test_accuracy: float,
    history: dict,
    weights: list,
    compile_seconds: float | None = None,
    warm_up_seconds: float | None = None,
    **extra,
) -> dict:
    """What every ``fit`` returns, as plain JSON-ready values.

    ``weights`` (in dlmath's layout and order: W1, B1, W2, B2) are reduced to their
    digest; ``extra`` holds framework-specific figures (for instance dlmath-fast's
    executed FLOPs).
    """
    return {
        "fit_seconds": float(fit_seconds),
        "compile_seconds": None if compile_seconds is None else float(compile_seconds),
        "warm_up_seconds": None if warm_up_seconds is None else float(warm_up_seconds),
        "train_accuracy": float(train_accuracy),
        "test_accuracy": float(test_accuracy),
        "history": {key: [float(v) for v in values] for key, values in history.items()},
        "weights_sha256": weights_digest(weights),
        **extra,
    }
