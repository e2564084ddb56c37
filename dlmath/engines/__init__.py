r"""Training engines: who computes the steps of :meth:`dlmath.layers.Sequential.fit`.

**Shape convention.** As everywhere in dlmath, one example per column: an engine takes
the training inputs ``X`` of shape (n_in, N) and the targets as the loss takes them.

Two engines, one door. ``fit(..., engine=...)`` chooses:

``"reference"`` (:class:`ReferenceEngine`)
    The loop the book explains, in plain NumPy: each step calls the model's own
    ``forward`` and ``backward`` and the optimizer's ``step``.
``"fast"`` (:class:`~dlmath.engines.fast.FastEngine`)
    The same steps in compiled kernels (Numba) and preallocated buffers of its own;
    the tests prove its results equal to the reference engine's. It needs Numba:
    ``pip install "dlmath[fast]"``.
``"auto"``
    The fast engine when Numba is installed, otherwise the reference engine, with one
    warning.

An engine never changes the model other than its parameters, so every method of the
model gives the right answer after any ``fit``. An engine object may also be passed
(for instance a :class:`~dlmath.engines.fast.FastEngine` whose ``stats`` you read
afterwards).

For example:

>>> from dlmath.engines import get_engine
>>> get_engine("reference").name
'reference'
"""

from __future__ import annotations

import warnings

from dlmath.engines.fast import FastEngine, numba_available
from dlmath.engines.reference import ReferenceEngine

__all__ = ["ENGINES", "FastEngine", "ReferenceEngine", "get_engine"]

#: The names ``fit`` accepts for its ``engine`` argument.
ENGINES = ("auto", "reference", "fast")

_warned = False


def get_engine(engine="auto"):
    """The engine that ``engine`` names (a new one for each call), or ``engine`` itself.

    Parameters
    ----------
    engine : {"auto", "reference", "fast"}, ReferenceEngine or FastEngine
        A name from :data:`ENGINES`, or an engine object.

    Returns
    -------
    ReferenceEngine or FastEngine

    Raises
    ------
    ImportError
        For ``"fast"`` when Numba is not installed; the message says how to install it.
    ValueError
        For an unknown name. ``TypeError`` for anything else.

    Warns
    -----
    UserWarning
        Once per session, when ``"auto"`` falls back to the reference engine.

    Examples
    --------
    >>> from dlmath.engines import get_engine
    >>> get_engine("fast").name
    'fast'
    """
    global _warned
    if isinstance(engine, ReferenceEngine | FastEngine):
        return engine
    if not isinstance(engine, str):
        raise TypeError(f"engine must be one of {ENGINES} or an engine object; got {engine!r:.60}")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}; got {engine!r:.60}")
    if engine == "reference":
        return ReferenceEngine()
    if engine == "fast" or numba_available():
        return FastEngine()
    if not _warned:
        _warned = True
        warnings.warn(
            'dlmath\'s fast engine needs Numba (pip install "dlmath[fast]"); training '
            "with the reference engine, which gives the same results more slowly",
            UserWarning,
            stacklevel=4,
        )
    return ReferenceEngine()
