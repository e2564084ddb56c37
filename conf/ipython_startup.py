"""Checks that run in the kernel of every chapter while the book is built.

conf.py copies this file into the startup folder of an IPython profile of the build
(``build/ipython``) and points the kernels at it (``IPYTHONDIR``). Every figure that
pyplot makes is watched (matplotlib's ``figure.hooks``): when it is drawn, to be shown
or glued, the size of its smallest text in the book's column is measured, and text
smaller than :data:`dlmath.plotting.MIN_TEXT_PT` points is reported on standard error,
which the build treats as an error (``nb_output_stderr = "warn"`` with
``sphinx-build -W``). The reader never sees any of this.
"""

import sys
import types

import matplotlib as mpl


def _watch(fig) -> None:
    """Measure ``fig``'s text each time it is drawn (but not while measuring it)."""
    state = {"measuring": False, "reported": None}

    def on_draw(event) -> None:
        if state["measuring"]:
            return
        from dlmath.plotting import MIN_TEXT_PT, smallest_text_pt

        state["measuring"] = True
        try:
            size = smallest_text_pt(fig)
        finally:
            state["measuring"] = False
        if size < MIN_TEXT_PT and state["reported"] != size:
            state["reported"] = size
            print(
                f"a figure's smallest text is {size:.1f} pt in the book's column (at least "
                f"{MIN_TEXT_PT:g} pt): make the figure narrower or the text larger",
                file=sys.stderr,
            )

    fig.canvas.mpl_connect("draw_event", on_draw)


sys.modules["book_checks"] = types.ModuleType("book_checks")
sys.modules["book_checks"].watch = _watch
mpl.rcParams["figure.hooks"] = ["book_checks:watch"]
