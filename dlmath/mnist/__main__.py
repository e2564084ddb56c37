"""``python -m dlmath.mnist``: the command line of :mod:`dlmath.mnist.cli`."""

import sys

from dlmath.mnist.cli import main

if __name__ == "__main__":
    sys.exit(main())
