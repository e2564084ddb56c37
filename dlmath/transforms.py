"""Translation, scaling, rotation and affine maps of points in the plane.

**Shape convention.** As on the slides, a set of points is a matrix with **one point per
column**: ``X`` has shape ``(2, N)``, row 0 holding the x coordinates and row 1 the y
coordinates. A linear map is a ``(2, 2)`` matrix ``A`` applied as ``A @ X``; a
translation is a scalar or a vector ``b`` of shape ``(2,)`` or ``(2, 1)`` added to every
column. This is the shape convention of a neural-network layer, ``Y = W·X + B``, with
one example per column. Every function returns a new array and leaves its inputs alone.

For example:

>>> from dlmath import transforms
>>> transforms.UNIT_SQUARE.shape
(2, 6)
"""

from __future__ import annotations

import numpy as np

from dlmath._validation import as_float_array, check_real

__all__ = [
    "UNIT_SQUARE",
    "affine",
    "affine_matrix",
    "homogeneous",
    "rotate",
    "rotation_matrix",
    "scale",
    "scaling_matrix",
    "translate",
]

#: The slides' square: six points, one per column, that trace the unit square
#: (0,0) → (0,1) → (1,1) → (1,0) → (0,0) → (0,1). The path returns to its start and
#: repeats the first edge, so a line through the columns draws a closed square.
#: Read-only: transforms return new arrays.
UNIT_SQUARE = np.array([[0.0, 0.0, 1.0, 1.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0, 0.0, 1.0]])
UNIT_SQUARE.flags.writeable = False


def _points(X, name: str = "X") -> np.ndarray:
    return as_float_array(X, name, ndim=2, rows=2)


def _offset(t, name: str, dims: int = 2, rows_of: str = "") -> np.ndarray:
    """A translation as an array that broadcasts over the columns of a (dims, N) matrix."""
    offset = as_float_array(t, name, ndim=(0, 1, 2))
    if offset.ndim == 0:
        return offset
    if offset.shape not in {(dims,), (dims, 1)}:
        per_row = f", one entry per row of {rows_of}" if rows_of else ""
        raise ValueError(
            f"{name} must be a scalar or a vector of shape ({dims},) or ({dims}, 1){per_row}; "
            f"got shape {offset.shape}"
        )
    return offset.reshape(dims, 1)


def translate(X, t) -> np.ndarray:
    r"""Translate points by adding ``t`` to every column.

    Parameters
    ----------
    X : array_like, shape (2, N)
        Points of the plane, one per column.
    t : float or array_like, shape (2,) or (2, 1)
        The translation. A scalar moves both coordinates by the same amount, as on
        the slides ("add 0.2 to each element").

    Returns
    -------
    numpy.ndarray, shape (2, N)
        ``X + t``.

    Notes
    -----
    Translation is the map :math:`x \mapsto x + t`. It is not linear (it moves the
    origin), which is why a layer needs its bias ``B`` besides the matrix ``W``.

    Examples
    --------
    The slides translate the unit square by 0.2:

    >>> from dlmath.transforms import UNIT_SQUARE, translate
    >>> translate(UNIT_SQUARE, 0.2)
    array([[0.2, 0.2, 1.2, 1.2, 0.2, 0.2],
           [0.2, 1.2, 1.2, 0.2, 0.2, 1.2]])
    >>> translate([[0.0], [0.0]], [1.0, -1.0]).ravel().tolist()
    [1.0, -1.0]
    """
    return _points(X) + _offset(t, "t")


def scaling_matrix(sx, sy=None) -> np.ndarray:
    r"""The ``(2, 2)`` matrix that scales x by ``sx`` and y by ``sy``.

    Parameters
    ----------
    sx : float
        Scale factor along x.
    sy : float, optional
        Scale factor along y; the same as ``sx`` when omitted (uniform scaling).

    Returns
    -------
    numpy.ndarray, shape (2, 2)
        :math:`\begin{bmatrix} s_x & 0 \\ 0 & s_y \end{bmatrix}`.

    Examples
    --------
    >>> from dlmath.transforms import scaling_matrix
    >>> scaling_matrix(0.5)
    array([[0.5, 0. ],
           [0. , 0.5]])
    """
    sx = check_real(sx, "sx")
    sy = sx if sy is None else check_real(sy, "sy")
    return np.array([[sx, 0.0], [0.0, sy]])


def scale(X, sx, sy=None) -> np.ndarray:
    """Scale points about the origin: ``scaling_matrix(sx, sy) @ X``.

    Parameters
    ----------
    X : array_like, shape (2, N)
        Points of the plane, one per column.
    sx, sy : float
        Scale factors; see :func:`scaling_matrix`.

    Returns
    -------
    numpy.ndarray, shape (2, N)
        The scaled points.

    Examples
    --------
    The slides scale the unit square by 50%:

    >>> from dlmath.transforms import UNIT_SQUARE, scale
    >>> scale(UNIT_SQUARE, 0.5)
    array([[0. , 0. , 0.5, 0.5, 0. , 0. ],
           [0. , 0.5, 0.5, 0. , 0. , 0.5]])
    """
    return scaling_matrix(sx, sy) @ _points(X)


def rotation_matrix(theta) -> np.ndarray:
    r"""The ``(2, 2)`` matrix of a counter-clockwise rotation by ``theta`` radians.

    Parameters
    ----------
    theta : float
        Angle in radians. Positive angles turn counter-clockwise (from the x axis
        towards the y axis), negative angles clockwise.

    Returns
    -------
    numpy.ndarray, shape (2, 2)
        :math:`R(\theta) = \begin{bmatrix} \cos\theta & -\sin\theta \\
        \sin\theta & \cos\theta \end{bmatrix}`.

    Notes
    -----
    The slides call ``rotation_matrix(0.175)`` a rotation by "negative 10 degrees".
    0.175 rad is +10.03°, and this matrix turns the square **counter-clockwise**:
    the corner (1, 0) moves up to (0.985, 0.174). A clockwise turn of 10° needs
    ``rotation_matrix(-0.175)``.

    Examples
    --------
    >>> import numpy as np
    >>> from dlmath.transforms import rotation_matrix
    >>> rotation_matrix(np.pi / 2).round(12) + 0.0
    array([[ 0., -1.],
           [ 1.,  0.]])
    >>> round(float(np.degrees(0.175)), 2)
    10.03
    """
    theta = check_real(theta, "theta")
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s], [s, c]])


def rotate(X, theta) -> np.ndarray:
    """Rotate points about the origin by ``theta`` radians, counter-clockwise.

    Parameters
    ----------
    X : array_like, shape (2, N)
        Points of the plane, one per column.
    theta : float
        Angle in radians; see :func:`rotation_matrix`.

    Returns
    -------
    numpy.ndarray, shape (2, N)
        ``rotation_matrix(theta) @ X``.

    Examples
    --------
    The slides' rotation by 0.175 rad. The corner (1, 0) (fourth column) moves *up*,
    so the square turns counter-clockwise, by +10 degrees:

    >>> from dlmath.transforms import UNIT_SQUARE, rotate
    >>> rotate(UNIT_SQUARE, 0.175).round(3)
    array([[ 0.   , -0.174,  0.811,  0.985,  0.   , -0.174],
           [ 0.   ,  0.985,  1.159,  0.174,  0.   ,  0.985]])
    """
    return rotation_matrix(theta) @ _points(X)


def affine(X, A, b) -> np.ndarray:
    r"""Apply the affine map ``A @ X + b``: a linear map, then a translation.

    Parameters
    ----------
    X : array_like, shape (n, N)
        Points (or examples), one per column.
    A : array_like, shape (m, n)
        The linear part.
    b : float or array_like, shape (m,) or (m, 1)
        The translation.

    Returns
    -------
    numpy.ndarray, shape (m, N)
        :math:`A X + b`.

    Notes
    -----
    This is exactly a neural-network layer without its activation,
    :math:`Y = W \cdot X + B` (see :class:`dlmath.layers.Dense`).

    Examples
    --------
    The slides' affine map: rotate by 0.175 rad, then translate by 0.2.

    >>> from dlmath.transforms import UNIT_SQUARE, affine, rotation_matrix
    >>> affine(UNIT_SQUARE, rotation_matrix(0.175), 0.2).round(3)
    array([[0.2  , 0.026, 1.011, 1.185, 0.2  , 0.026],
           [0.2  , 1.185, 1.359, 0.374, 0.2  , 1.185]])
    """
    X = as_float_array(X, "X", ndim=2)
    A = as_float_array(A, "A", ndim=2)
    if A.shape[1] != X.shape[0]:
        raise ValueError(
            f"A must have as many columns as X has rows ({X.shape[0]}); got A of shape {A.shape}"
        )
    return A @ X + _offset(b, "b", dims=A.shape[0], rows_of="A")


def affine_matrix(A, b) -> np.ndarray:
    r"""The affine map ``x ↦ A x + b`` as one matrix acting on homogeneous coordinates.

    Parameters
    ----------
    A : array_like, shape (m, n)
        The linear part.
    b : float or array_like, shape (m,) or (m, 1)
        The translation.

    Returns
    -------
    numpy.ndarray, shape (m + 1, n + 1)
        :math:`\begin{bmatrix} A & b \\ 0 & 1 \end{bmatrix}`. Multiplying it with
        ``homogeneous(X)`` applies the map; composing maps is multiplying matrices.

    Examples
    --------
    >>> import numpy as np
    >>> from dlmath.transforms import affine_matrix, homogeneous, UNIT_SQUARE
    >>> M = affine_matrix(np.eye(2), 0.2)
    >>> M
    array([[1. , 0. , 0.2],
           [0. , 1. , 0.2],
           [0. , 0. , 1. ]])
    >>> (M @ homogeneous(UNIT_SQUARE))[:2, 2].tolist()
    [1.2, 1.2]
    """
    A = as_float_array(A, "A", ndim=2)
    m, n = A.shape
    matrix = np.zeros((m + 1, n + 1))
    matrix[:m, :n] = A
    matrix[:m, n:] = np.broadcast_to(_offset(b, "b", dims=m, rows_of="A"), (m, 1))
    matrix[m, n] = 1.0
    return matrix


def homogeneous(X) -> np.ndarray:
    """Append a row of ones to ``X``: the homogeneous coordinates of its columns.

    Parameters
    ----------
    X : array_like, shape (n, N)
        Points, one per column.

    Returns
    -------
    numpy.ndarray, shape (n + 1, N)
        ``X`` with a last row of ones.

    Examples
    --------
    >>> from dlmath.transforms import homogeneous
    >>> homogeneous([[1.0, 2.0], [3.0, 4.0]])
    array([[1., 2.],
           [3., 4.],
           [1., 1.]])
    """
    X = as_float_array(X, "X", ndim=2)
    return np.vstack([X, np.ones((1, X.shape[1]))])
