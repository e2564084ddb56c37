"""Checks that run in the kernel of every chapter while the book is built.

conf.py copies this file into the startup folder of an IPython profile of the build
(``build/ipython``) and points the kernels at it (``IPYTHONDIR``). After each cell, and
before matplotlib's inline backend shows the cell's figures, every open figure is
measured: text smaller than :data:`dlmath.plotting.MIN_TEXT_PT` points once the figure
is shown in the book's column is reported on standard error, which the build treats as
an error (``nb_output_stderr = "warn"`` with ``sphinx-build -W``). The reader never
sees any of this.
"""

import sys


def _audit_figures() -> None:
    if "matplotlib.pyplot" not in sys.modules:
        return
    import matplotlib.pyplot as plt

    from dlmath.plotting import MIN_TEXT_PT, smallest_text_pt

    for number in plt.get_fignums():
        size = smallest_text_pt(plt.figure(number))
        if size < MIN_TEXT_PT:
            print(
                f"figure {number}: its smallest text is {size:.1f} pt in the book's column "
                f"(at least {MIN_TEXT_PT:g} pt): make the figure narrower or the text larger",
                file=sys.stderr,
            )


get_ipython().events.register("post_execute", _audit_figures)  # noqa: F821 (IPython's)
