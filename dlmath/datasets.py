r"""Small labelled data sets in the plane, for watching a network learn.

**Shape convention.** Points are the columns of a matrix ``X`` of shape (2, N), as
everywhere in dlmath; labels ``y`` are integers of shape (N,). The same seed gives the
same points.

For example:

>>> from dlmath.datasets import two_moons
>>> X, y = two_moons(100, rng=0)
>>> X.shape, y.shape, sorted(set(y.tolist()))
((2, 100), (100,), [0, 1])
"""

from __future__ import annotations

import numpy as np

from dlmath._validation import as_rng, check_allocatable, check_positive_int, check_real

__all__ = ["spirals", "two_moons"]


def _noise(value) -> float:
    value = check_real(value, "noise")
    if value < 0:
        raise ValueError(f"noise must be non-negative; got {value}")
    return value


def two_moons(n: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    r"""Two interleaved half circles, one per class.

    Parameters
    ----------
    n : int, optional
        Number of points, at least 2; the classes get ``n // 2`` and ``n - n // 2``.
    noise : float, optional
        Standard deviation of the Gaussian noise added to each coordinate.
    rng : int, numpy.random.Generator or None, optional
        Seed or generator.

    Returns
    -------
    X : numpy.ndarray, shape (2, n)
        The points, one per column.
    y : numpy.ndarray of int, shape (n,)
        0 for the upper moon, 1 for the lower one.

    Notes
    -----
    Class 0 lies on :math:`(\cos t, \sin t)`, class 1 on
    :math:`(1 - \cos t, \tfrac12 - \sin t)`, for :math:`t \in [0, \pi]`. No straight
    line separates them: a network has to bend the plane first.

    Examples
    --------
    >>> from dlmath.datasets import two_moons
    >>> X, y = two_moons(4, noise=0.0, rng=0)
    >>> X.round(3).tolist(), y.tolist()
    ([[1.0, -1.0, 0.0, 2.0], [0.0, 0.0, 0.5, 0.5]], [0, 0, 1, 1])
    """
    n = _count(n)
    noise = _noise(noise)
    generator = as_rng(rng)
    n0 = n // 2
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n - n0)
    X = np.hstack(
        [
            np.vstack([np.cos(t0), np.sin(t0)]),
            np.vstack([1.0 - np.cos(t1), 0.5 - np.sin(t1)]),
        ]
    )
    y = np.repeat([0, 1], [n0, n - n0])
    return _noisy(X, noise, generator), y


def spirals(
    n: int = 200, turns: float = 1.5, noise: float = 0.05, rng=None
) -> tuple[np.ndarray, np.ndarray]:
    r"""Two spirals wound around each other, one per class.

    Parameters
    ----------
    n : int, optional
        Number of points, at least 2.
    turns : float, optional
        How many times each spiral winds around the origin, > 0.
    noise : float, optional
        Standard deviation of the Gaussian noise added to each coordinate.
    rng : int, numpy.random.Generator or None, optional
        Seed or generator.

    Returns
    -------
    X : numpy.ndarray, shape (2, n)
        The points, one per column.
    y : numpy.ndarray of int, shape (n,)
        The spiral each point belongs to, 0 or 1.

    Notes
    -----
    Spiral 0 is :math:`r (\cos \theta, \sin \theta)` with :math:`r \in [0.1, 1]`
    growing with :math:`\theta \in [0, 2\pi \cdot \text{turns}]`; spiral 1 is spiral 0
    turned by half a circle.

    Examples
    --------
    >>> from dlmath.datasets import spirals
    >>> X, y = spirals(6, noise=0.0, rng=0)
    >>> X.shape, y.tolist()
    ((2, 6), [0, 0, 0, 1, 1, 1])
    """
    n = _count(n)
    turns = check_real(turns, "turns")
    if not 0 < turns <= 1e6:
        raise ValueError(f"turns must be positive and at most a million; got {turns}")
    noise = _noise(noise)
    generator = as_rng(rng)
    parts = []
    for label, count in enumerate((n // 2, n - n // 2)):
        s = np.linspace(0.0, 1.0, count)
        theta = 2 * np.pi * turns * s + np.pi * label
        radius = 0.1 + 0.9 * s
        parts.append(np.vstack([radius * np.cos(theta), radius * np.sin(theta)]))
    X = np.hstack(parts)
    y = np.repeat([0, 1], [n // 2, n - n // 2])
    return _noisy(X, noise, generator), y


def _count(n) -> int:
    n = check_positive_int(n, "n")
    if n < 2:
        raise ValueError(f"n must be at least 2 (one point per class); got {n}")
    check_allocatable((2, n), np.float64, f"n={n}")
    return n


def _noisy(X: np.ndarray, noise: float, generator: np.random.Generator) -> np.ndarray:
    """X plus Gaussian noise of standard deviation ``noise``, refusing infinities."""
    if not noise:
        return X
    with np.errstate(over="ignore"):
        noisy = X + generator.normal(scale=noise, size=X.shape)
    if not np.all(np.isfinite(noisy)):
        raise ValueError(f"noise = {noise:g} is too large: the points overflow float64")
    return noisy
