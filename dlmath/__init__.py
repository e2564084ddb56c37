"""dlmath: the mathematics of deep learning in plain NumPy.

The companion package of the book *The Mathematical Intuition of Deep Learning*.
Every module states its shape convention; throughout, as on the slides, a data matrix
has **one example per column** and a layer computes ``Y = W·X + B``.

Modules
-------
transforms
    Translation, scaling, rotation and affine maps of points in the plane.
derivatives
    Central differences, gradients and the chain rule.
activations
    ReLU, sigmoid, tanh and softmax, each beside its derivative.
losses
    Mean squared error and cross-entropy, each beside its gradient.
layers
    ``Dense`` layers and the ``Sequential`` model that trains them.
backprop
    The backward pass of the slides, and gradient checking.
optimizers
    Gradient descent, momentum, RMSprop and Adam, with Keras's update rules.
datasets
    Small two-dimensional data sets (two moons, spirals).
mnist
    The MNIST digits: loading, the slides' model and a command-line trainer.
progress
    A progress bar per epoch of training, drawn by tqdm.
serialization
    The file format of saved models.
files
    Files written atomically, and ``.npz`` archives read without trusting them.

``dlmath.plotting`` (matplotlib), ``dlmath.keras_reference`` (TensorFlow),
``dlmath.mnist`` (also a command-line program, ``python -m dlmath.mnist``),
``dlmath.progress`` (tqdm), ``dlmath.serialization`` and ``dlmath.files`` are not
imported here: import them by name. ``import dlmath`` needs NumPy alone.
"""

from dlmath import (
    activations,
    backprop,
    datasets,
    derivatives,
    layers,
    losses,
    optimizers,
    transforms,
)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "activations",
    "backprop",
    "datasets",
    "derivatives",
    "layers",
    "losses",
    "optimizers",
    "transforms",
]
