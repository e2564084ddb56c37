"""Does a page fit its screen? Measured in the browser, judged in Python.

``tools/check_site.py`` opens every page at each width of `WIDTHS` and runs `MEASURE`
in it; `layout_problems` turns the measurements into failures:

* the page is wider than the window (``document.documentElement.scrollWidth`` beyond
  its ``clientWidth``), reported with the elements that stick out;
* a formula is clipped: its content is wider than the nearest box that hides overflow,
  and that box does not scroll (``overflow-x`` other than ``auto`` or ``scroll``);
* a display formula scrolls in a box narrower than its block, because its equation
  number takes the room (the number belongs on a line of its own then), or its number
  overlaps the visible formula or lies outside the window;
* code is cut: a ``pre`` of the article whose ``scrollWidth`` exceeds its
  ``clientWidth`` (the book wraps long lines, see ``conf/_static/dlmath.css``). On a
  phone, a cell's printed output may instead scroll inside its own block (it keeps the
  columns of a table), as a formula does; at the desktop width nothing may;
* an image is cut: it reaches beyond the box that clips it (a figure or an animation
  wider than the column).

Each failure names the width and the start of the offending text.
"""

from __future__ import annotations

#: The window widths at which every page is measured: a desktop and two phones.
WIDTHS = (1280, 400, 360)
DESKTOP = WIDTHS[0]
#: How far (CSS pixels) a box may stick out before it counts: sub-pixel rounding.
TOLERANCE = 1

#: JavaScript run in the page once it is typeset; returns what `layout_problems` reads.
MEASURE = """
() => {
  const doc = document.documentElement;
  const viewport = doc.clientWidth;
  const text = (el) => (el.textContent || "").replace(/\\s+/g, " ").trim().slice(0, 60);
  const describe = (el) => {
    const classes = typeof el.className === "string" ? el.className.trim().split(/\\s+/) : [];
    return el.tagName.toLowerCase() + classes.filter(Boolean).map((c) => "." + c).join("");
  };
  const style = (el) => getComputedStyle(el);
  const clipper = (el) => {
    for (let box = el; box && box !== document.body; box = box.parentElement) {
      if (style(box).overflowX !== "visible") return box;
    }
    return null;
  };
  // The page: the elements that stick out of the window and are not inside a box that
  // clips or scrolls; of those, the innermost ones.
  const wide = [];
  if (doc.scrollWidth > viewport + 1) {
    const sticksOut = (el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > viewport + 1 && style(el).position !== "fixed"
        && clipper(el.parentElement) === null;
    };
    for (const el of document.body.querySelectorAll("*")) {
      if (wide.length >= 3) break;
      if (sticksOut(el) && ![...el.children].some(sticksOut)) {
        wide.push({element: describe(el), right: Math.round(el.getBoundingClientRect().right),
                   text: text(el)});
      }
    }
  }
  // Formulas: how wide their content is, and the box that shows it.
  const formulas = [];
  for (const container of document.querySelectorAll("mjx-container")) {
    const math = container.querySelector("mjx-math");
    if (!math || container.getClientRects().length === 0) continue;  // not displayed
    const content = math.getBoundingClientRect();
    const box = clipper(container);
    const shown = box ? box.getBoundingClientRect() : {left: 0, right: viewport};
    const display = container.getAttribute("display") === "true";
    const block = display ? container.closest("div.math") : null;
    const eqno = block ? block.querySelector(":scope > span.eqno") : null;
    const number = eqno ? eqno.getBoundingClientRect() : null;
    const visible = {left: Math.max(content.left, shown.left),
                     right: Math.min(content.right, shown.right),
                     top: content.top, bottom: content.bottom};
    formulas.push({
      display,
      label: eqno ? text(eqno).replace(/#$/, "") : "",
      text: (container.querySelector("mjx-assistive-mml") || container).textContent
        .replace(/\\s+/g, " ").trim().slice(0, 50),
      contentWidth: Math.round(content.width),
      boxWidth: Math.round(box ? box.clientWidth : viewport),
      overflows: content.left < shown.left - 1 || content.right > shown.right + 1,
      scrolls: box !== null && ["auto", "scroll"].includes(style(box).overflowX),
      blockWidth: block ? Math.round(block.clientWidth) : null,
      numberOverlaps: number !== null && number.width > 0
        && number.left < visible.right && number.right > visible.left
        && number.top < visible.bottom && number.bottom > visible.top,
      numberOutside: number !== null && number.right > viewport + 1,
    });
  }
  // Code blocks of the article whose text does not fit.
  const cut = [...document.querySelectorAll(".bd-article pre, article pre")]
    .filter((pre) => pre.getClientRects().length > 0 && pre.scrollWidth > pre.clientWidth + 1)
    .map((pre) => ({scrollWidth: pre.scrollWidth, clientWidth: pre.clientWidth,
                    text: text(pre), output: pre.closest(".cell_output") !== null,
                    scrolls: ["auto", "scroll"].includes(style(pre).overflowX)}));
  // Images that reach beyond the box that clips them (or the window).
  const images = [...document.querySelectorAll(".bd-article img, article img")]
    .filter((img) => img.getClientRects().length > 0)
    .map((img) => {
      const r = img.getBoundingClientRect();
      const box = clipper(img.parentElement);
      const shown = box ? box.getBoundingClientRect() : {left: 0, right: viewport};
      return {src: (img.getAttribute("src") || "").slice(0, 60), width: Math.round(r.width),
              shownWidth: Math.round(Math.min(r.right, shown.right) - Math.max(r.left, shown.left)),
              cut: r.left < shown.left - 1 || r.right > shown.right + 1};
    })
    .filter((image) => image.cut);
  return {viewport, scrollWidth: doc.scrollWidth, wide, formulas, cut, images};
}
"""


def layout_problems(measured: dict, width: int) -> list[str]:
    """Failures of one page at one window width, from what `MEASURE` returned."""
    problems = []
    at = f"at {width} px"
    viewport, scroll_width = measured["viewport"], measured["scrollWidth"]
    if scroll_width > viewport + TOLERANCE:
        culprits = "; ".join(
            f"{w['element']} reaches {w['right']} px ({w['text']!r})" for w in measured["wide"]
        )
        problems.append(
            f"{at} the page is {scroll_width} px wide in a {viewport} px window"
            + (f": {culprits}" if culprits else "")
        )
    for formula in measured["formulas"]:
        name = f"formula {formula['label']} " if formula["label"] else "formula "
        name += repr(formula["text"])
        if formula["overflows"] and not formula["scrolls"]:
            problems.append(
                f"{at} {name} is clipped: {formula['contentWidth']} px of content in a "
                f"{formula['boxWidth']} px box that does not scroll"
            )
        elif (
            formula["overflows"]
            and formula["blockWidth"] is not None
            and formula["boxWidth"] < formula["blockWidth"] - TOLERANCE
        ):
            problems.append(
                f"{at} {name} scrolls in {formula['boxWidth']} px of its "
                f"{formula['blockWidth']} px block: its number should move to its own line"
            )
        if formula["numberOverlaps"]:
            problems.append(f"{at} the number of {name} overlaps the formula")
        if formula["numberOutside"]:
            problems.append(f"{at} the number of {name} is outside the window")
    for pre in measured["cut"]:
        if width < DESKTOP and pre["output"] and pre["scrolls"]:
            continue  # a printed output that scrolls inside its block on a phone
        problems.append(
            f"{at} code is cut ({pre['scrollWidth']} px of text in {pre['clientWidth']} px): "
            f"{pre['text']!r}"
        )
    for image in measured["images"]:
        problems.append(
            f"at {width} px an image is cut: {image['shownWidth']} px of its {image['width']} "
            f"shown ({image['src']})"
        )
    return problems
