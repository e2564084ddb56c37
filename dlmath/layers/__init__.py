r"""Dense layers and the Sequential model that stacks, trains and saves them.

**Shape convention.** As on the slides, data have **one example per column**. A
:class:`Dense` layer with ``n_in`` inputs and ``n_out`` outputs holds ``W`` of shape
(n_out, n_in) and ``B`` of shape (n_out, 1) and maps ``X`` of shape (n_in, N) to

.. math:: A = \varrho(W \cdot X + B), \qquad \text{shape } (n_{out}, N),

where :math:`\varrho` is its activation. A :class:`Sequential` model feeds each
layer's output to the next. Class labels are integers of shape (N,).

This package is the readable path the book teaches: ``dlmath/layers/dense.py`` holds
the layer, whose ``forward`` and ``backward`` are the formulas one a line, and
``dlmath/layers/sequential.py`` the model.

For example:

>>> from dlmath.layers import Dense, Sequential
>>> model = Sequential([Dense(2, 3, "relu", rng=0), Dense(3, 1, rng=1)])
>>> model.forward([[1.0, 2.0], [3.0, 4.0]]).shape
(1, 2)
"""

from dlmath.layers.dense import Dense, glorot_uniform
from dlmath.layers.sequential import Sequential

__all__ = ["Dense", "Sequential", "glorot_uniform"]
