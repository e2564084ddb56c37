r"""The fast engine's compiled kernels: each one a formula, element by element.

**Shape convention.** As everywhere in dlmath, one example per column: a layer's
pre-activations ``Z`` and outputs ``A`` are (units, m) arrays for a batch of m
examples, its biases ``B`` a vector of ``units`` entries. A batch of inputs is
gathered as rows, ``rows[i]`` the i-th example's features (so ``rows.T`` is the
(features, m) matrix ``X``).

Every kernel is a plain loop compiled by Numba (``@njit``) that writes into arrays it
is given, so that :class:`~dlmath.engines.fast.FastEngine` works in buffers it owns:
one pass over the data where NumPy needs several. The arithmetic is the same as the
formulas of :mod:`dlmath.activations`, :mod:`dlmath.losses` and
:mod:`dlmath.optimizers`, in the same order and precision (scalars arrive in the
arrays' own dtype, and nothing is reordered: no ``fastmath``), so the optimizer
updates are bit for bit those of the readable optimizers. Matrix products (and the
bias gradients, products with a vector of ones) are not here: NumPy's BLAS does them.

The kernels run on one core: while BLAS's threads run the matrix products, a second
pool of threads for the elementwise work slowed the step down (see the fast engine's
notes). Compiled code is cached on disk (``cache=True``), once per machine.

Importing this module needs Numba.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = [
    "adam",
    "bias_linear",
    "bias_relu",
    "bias_sigmoid",
    "bias_tanh",
    "gather_columns",
    "gather_rows",
    "gradient_descent",
    "linear_backward",
    "momentum",
    "nonzero_columns",
    "nonzero_span",
    "relu_backward",
    "rmsprop",
    "sigmoid_backward",
    "softmax_crossentropy",
    "tanh_backward",
]

_JIT = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}


# --- the batch ------------------------------------------------------------------------
@njit(**_JIT)
def gather_rows(source, index, out):
    """out[i, :] = source[index[i], :], converted to out's dtype (raw pixels included)."""
    for i in range(index.size):
        row = source[index[i]]
        for j in range(row.size):
            out[i, j] = row[j]


# --- forward: A = ϱ(Z + B), in place -------------------------------------------------
@njit(**_JIT)
def bias_linear(Z, B):
    """Z <- Z + B."""
    for i in range(Z.shape[0]):
        for j in range(Z.shape[1]):
            Z[i, j] = Z[i, j] + B[i]


@njit(**_JIT)
def bias_relu(Z, B):
    """Z <- max(Z + B, 0)."""
    zero = Z.dtype.type(0)
    for i in range(Z.shape[0]):
        for j in range(Z.shape[1]):
            z = Z[i, j] + B[i]
            Z[i, j] = z if z > zero else zero


@njit(**_JIT)
def bias_sigmoid(Z, B):
    """Z <- σ(Z + B), with σ(z) = (1 + tanh(z / 2)) / 2."""
    half, one = Z.dtype.type(0.5), Z.dtype.type(1)
    for i in range(Z.shape[0]):
        for j in range(Z.shape[1]):
            Z[i, j] = (np.tanh((Z[i, j] + B[i]) * half) + one) * half


@njit(**_JIT)
def bias_tanh(Z, B):
    """Z <- tanh(Z + B)."""
    for i in range(Z.shape[0]):
        for j in range(Z.shape[1]):
            Z[i, j] = np.tanh(Z[i, j] + B[i])


# --- softmax and cross-entropy together ------------------------------------------------
@njit(**_JIT)
def softmax_crossentropy(Z, labels, delta, floor):
    r"""The loss and the output error of a batch, from its logits ``Z`` (classes × m).

    For each column: :math:`p = \operatorname{softmax}(z)`, the loss
    :math:`\log \sum_k e^{z_k - \max z} - (z_y - \max z)`, and the error
    :math:`\delta = (p - y)/m` written to ``delta``. Probabilities whose exponent
    :math:`z_k - \max z` lies below ``floor`` are set to zero (see the fast engine's
    notes). Returns the sum of the m losses (in float64) and the number of columns
    whose largest logit is the label's.
    """
    classes, m = Z.shape
    zero, one, size = Z.dtype.type(0), Z.dtype.type(1), Z.dtype.type(m)
    loss_sum, correct = 0.0, 0
    for j in range(m):
        top, best = Z[0, j], 0
        for k in range(1, classes):
            if Z[k, j] > top:
                top, best = Z[k, j], k
        total = zero
        for k in range(classes):
            shifted = Z[k, j] - top
            e = np.exp(shifted) if shifted >= floor else zero
            delta[k, j] = e
            total += e
        y = labels[j]
        loss_sum += np.log(total) - (Z[y, j] - top)
        correct += best == y
        for k in range(classes):
            delta[k, j] = delta[k, j] / total
        delta[y, j] = delta[y, j] - one
        for k in range(classes):
            delta[k, j] = delta[k, j] / size
    return loss_sum, correct


# --- backward --------------------------------------------------------------------------
@njit(**_JIT)
def linear_backward(dA, A):
    """dZ = dA (the identity's derivative is 1): nothing to do."""


@njit(**_JIT)
def relu_backward(dA, A):
    """dA <- dA ⊙ [A > 0] (relu'(z) = 1 where z > 0, which is where A > 0)."""
    zero = dA.dtype.type(0)
    for i in range(dA.shape[0]):
        for j in range(dA.shape[1]):
            if not A[i, j] > zero:
                dA[i, j] = zero


@njit(**_JIT)
def sigmoid_backward(dA, A):
    """dA <- dA ⊙ A(1 - A) (σ' = σ(1 - σ))."""
    one = dA.dtype.type(1)
    for i in range(dA.shape[0]):
        for j in range(dA.shape[1]):
            dA[i, j] = dA[i, j] * (A[i, j] * (one - A[i, j]))


@njit(**_JIT)
def tanh_backward(dA, A):
    """dA <- dA ⊙ (1 - A²) (tanh' = 1 - tanh²)."""
    one = dA.dtype.type(1)
    for i in range(dA.shape[0]):
        for j in range(dA.shape[1]):
            dA[i, j] = dA[i, j] * (one - A[i, j] * A[i, j])


# --- leaving out work whose result is zero --------------------------------------------
@njit(**_JIT)
def nonzero_columns(delta, out):
    """Write the indices of the columns of ``delta`` with a nonzero entry; return how many."""
    count = 0
    for j in range(delta.shape[1]):
        for i in range(delta.shape[0]):
            if delta[i, j] != 0:
                out[count] = j
                count += 1
                break
    return count


@njit(**_JIT)
def gather_columns(source, index, out):
    """out[:, k] = source[:, index[k]] for the k < index.size first columns of out."""
    for i in range(source.shape[0]):
        for k in range(index.size):
            out[i, k] = source[i, index[k]]


@njit(**_JIT)
def nonzero_span(rows):
    """(lo, hi): the features before lo and from hi on are zero in every row."""
    n = rows.shape[1]
    lo, hi = n, 0
    for i in range(rows.shape[0]):
        j = 0
        while j < lo and rows[i, j] == 0:
            j += 1
        lo = min(lo, j)
        j = n
        while j > hi and rows[i, j - 1] == 0:
            j -= 1
        hi = max(hi, j)
    return (lo, hi) if lo < hi else (0, 0)


# --- the optimizers' update rules, for flat arrays -------------------------------------
# Values of the state below the smallest normal number are set to zero, as TensorFlow's
# flush-to-zero does: otherwise decaying averages sink into subnormal numbers, on which
# arithmetic is many times slower. Beside epsilon they change no update.
@njit(**_JIT)
def gradient_descent(p, g, learning_rate):
    """w <- w - α g."""
    for i in range(p.size):
        p[i] = p[i] - learning_rate * g[i]


@njit(**_JIT)
def momentum(p, g, m, learning_rate, mu, nesterov, tiny):
    """m <- μ m - α g; w <- w + m (Nesterov: w <- w + μ m - α g)."""
    zero = p.dtype.type(0)
    for i in range(p.size):
        step = learning_rate * g[i]
        mi = mu * m[i] - step
        if abs(mi) < tiny:
            mi = zero
        m[i] = mi
        p[i] = p[i] + (mu * mi - step if nesterov else mi)


@njit(**_JIT)
def rmsprop(p, g, v, learning_rate, rho, one_minus_rho, epsilon, tiny):
    """v <- ρ v + (1 - ρ) g²; w <- w - α g / √(v + ε)."""
    zero = p.dtype.type(0)
    for i in range(p.size):
        gi = g[i]
        vi = rho * v[i] + one_minus_rho * (gi * gi)
        if vi < tiny:
            vi = zero
        v[i] = vi
        p[i] = p[i] - learning_rate * gi / np.sqrt(vi + epsilon)


@njit(**_JIT)
def adam(p, g, m, v, alpha, one_minus_beta_1, one_minus_beta_2, epsilon, tiny):
    """m <- m + (1 - β₁)(g - m); v <- v + (1 - β₂)(g² - v); w <- w - α_t m / (√v + ε)."""
    zero = p.dtype.type(0)
    for i in range(p.size):
        gi = g[i]
        mi = m[i] + one_minus_beta_1 * (gi - m[i])
        vi = v[i] + one_minus_beta_2 * (gi * gi - v[i])
        if abs(mi) < tiny:
            mi = zero
        if vi < tiny:
            vi = zero
        m[i], v[i] = mi, vi
        p[i] = p[i] - alpha * mi / (np.sqrt(vi) + epsilon)


def compile_for(dtype: np.dtype) -> None:
    """Compile every kernel for arrays of ``dtype`` as the fast engine passes them
    (C-contiguous, labels and indices as intp, raw inputs as uint8 too)."""
    t = dtype.type
    one, m, rows = np.ones(3, dtype), np.ones((3, 2), dtype), np.ones((2, 3), dtype)
    index, labels = np.arange(2, dtype=np.intp), np.zeros(2, dtype=np.intp)
    for source in (rows, rows.astype(np.uint8)):
        gather_rows(source, index, np.empty_like(rows))
    for kernel in (bias_linear, bias_relu, bias_sigmoid, bias_tanh):
        kernel(m.copy(), one)
    for kernel in (linear_backward, relu_backward, sigmoid_backward, tanh_backward):
        kernel(m.copy(), m)
    softmax_crossentropy(m.copy(), labels, np.empty_like(m), t(softmax_floor(dtype)))
    nonzero_columns(m, np.empty(2, np.intp))
    gather_columns(m, index, np.empty_like(m))
    nonzero_span(rows)
    tiny = t(smallest_normal(dtype))
    gradient_descent(one.copy(), one, t(0.1))
    momentum(one.copy(), one, one.copy(), t(0.1), t(0.9), False, tiny)
    rmsprop(one.copy(), one, one.copy(), t(0.1), t(0.9), t(0.1), t(1e-7), tiny)
    adam(one.copy(), one, one.copy(), one.copy(), t(0.1), t(0.1), t(0.001), t(1e-7), tiny)


def smallest_normal(dtype) -> float:
    """The smallest positive normal number of ``dtype`` (below it, numbers are subnormal)."""
    return float(np.finfo(dtype).tiny)


#: The exponent below which the fused softmax sets a probability to zero, per dtype:
#: :math:`2 \log \varepsilon` (:math:`\varepsilon^2` times the column's largest).
def softmax_floor(dtype) -> float:
    """:math:`2 \\log \\varepsilon` for ``dtype``'s machine epsilon ε."""
    return 2.0 * math.log(float(np.finfo(dtype).eps))
