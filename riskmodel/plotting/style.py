"""Shared figure style: colour-blind-safe colours, greyscale-safe line styles, captions, saving.

Every publication figure of :mod:`riskmodel.plotting` draws its series with
:func:`series_style` (an Okabe-Ito colour *and* a line style *and* a marker, so that
series stay distinguishable in greyscale print and for readers with a colour-vision
deficiency), is created inside :func:`style_context`, carries a :func:`caption` under the
plot (what the figure assumes, the data vintage, the seed and the riskmodel version) and
is written by :func:`save_figure` as PNG and SVG, atomically.

Plotting only: nothing here computes a result.
"""

from __future__ import annotations

import contextlib
import math
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from riskmodel.provenance import atomic_path

__all__ = [
    "OKABE_ITO",
    "PALETTE",
    "LINESTYLES",
    "MARKERS",
    "HATCHES",
    "BAR_STYLES",
    "VARIANT_LABELS",
    "PNG_DPI",
    "RC",
    "style_context",
    "series_style",
    "bar_style",
    "variant_style",
    "variant_label",
    "format_flop",
    "format_usd",
    "caption_string",
    "caption",
    "save_figure",
]

#: The Okabe-Ito palette (Okabe & Ito 2008), distinguishable with the common
#: colour-vision deficiencies.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Series colours in order of use (yellow last: weak contrast on white).
PALETTE: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["black"],
    OKABE_ITO["yellow"],
)
#: Line styles in order of use (the first series solid).
LINESTYLES: tuple[Any, ...] = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)))
#: Markers in order of use (filled shapes that differ in outline as well as colour).
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Hatches for filled areas, so that fills differ without colour.
HATCHES: tuple[str, ...] = ("", "////", "\\\\\\\\", "xxx", "...", "+++")
#: Fixed styles of the shipped hazard bars (index into the style cycle).
BAR_STYLES: dict[str, int] = {"raised": 0, "current": 1}
#: Short labels and style indices of the shipped policy variants (DOMAIN.md order).
VARIANT_LABELS: dict[str, str] = {
    "as_introduced": "as introduced",
    "as_amended": "as amended",
    "enrolled": "enrolled",
    "commentary": "commentary",
    "commentary_raised_bar": "commentary + raised bar",
}
#: Resolution of the PNG files (dots per inch).
PNG_DPI = 200
#: Caption font size (points), width of an average character (em) and line spacing.
CAPTION_FONTSIZE = 7.5
_CHAR_EM = 0.56
_LINE_SPACING = 1.35
_CAPTION_PAD_IN = 0.08
#: Matplotlib settings of every publication figure (applied by :func:`style_context`).
RC: dict[str, Any] = {
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "0.9",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "lines.linewidth": 1.6,
    "lines.markersize": 5,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.fonttype": "none",
    "svg.hashsalt": "riskmodel",
}


@contextlib.contextmanager
def style_context() -> Iterator[None]:
    """Apply :data:`RC` for the figures created inside the block."""
    with plt.rc_context(RC):
        yield


def series_style(index: int) -> dict[str, Any]:
    """Colour, line style and marker of the ``index``-th series (cycling).

    Returns
    -------
    dict
        ``color``, ``linestyle``, ``marker``, ready for ``ax.plot(..., **style)``.
    """
    return {
        "color": PALETTE[index % len(PALETTE)],
        "linestyle": LINESTYLES[index % len(LINESTYLES)],
        "marker": MARKERS[index % len(MARKERS)],
    }


def bar_style(name: str, index: int) -> dict[str, Any]:
    """Style of a hazard bar: fixed for the shipped bars, else the ``index``-th series."""
    return series_style(BAR_STYLES.get(name, index + len(BAR_STYLES)))


def variant_style(name: str, index: int) -> dict[str, Any]:
    """Style of a policy variant: fixed for the shipped ones, else by ``index``."""
    order = list(VARIANT_LABELS)
    return series_style(order.index(name) if name in order else len(order) + index)


def variant_label(name: str) -> str:
    """Readable label of a variant (its name with spaces for a user variant)."""
    return VARIANT_LABELS.get(name, name.replace("_", " "))


_SUPERSCRIPT = str.maketrans(
    "-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def format_flop(flop: float) -> str:
    """Compute as ``m×10ⁿ`` (unicode superscript), e.g. ``1×10²⁶``, ``3×10²⁵``, ``2.5×10²⁶``.

    ``inf`` becomes ``"∞"``.
    """
    if math.isinf(flop):
        return "\u221e"
    exponent = math.floor(math.log10(flop))
    mantissa = flop / 10.0**exponent
    if math.isclose(mantissa, 10.0, rel_tol=1e-9):
        mantissa, exponent = 1.0, exponent + 1
    return f"{mantissa:.3g}\u00d710{str(exponent).translate(_SUPERSCRIPT)}"


def format_usd(amount: float) -> str:
    """US dollars with a magnitude suffix: ``$500k``, ``$5M``, ``$100M``, ``$1.2B``."""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= scale:
            return f"${amount / scale:.3g}{suffix}"
    return f"${amount:.3g}"


def caption_string(*, text: str, vintage: str, seed: int | None, version: str) -> str:
    """The caption of a figure: its assumptions, then data vintage, seed and version."""
    seed_text = "none (no Monte Carlo)" if seed is None else str(seed)
    provenance = f"Data vintage {vintage} | seed {seed_text} | riskmodel {version}"
    return f"{text.strip()}\n{provenance}" if text.strip() else provenance


def _freeze_layout(fig: Figure) -> None:
    """Run the figure's layout engine once and switch it off, so axes keep their place."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        fig.set_layout_engine("none")


def caption(fig: Figure, *, text: str, vintage: str, seed: int | None, version: str) -> Figure:
    """Add a caption under the figure, growing the figure so nothing overlaps.

    The figure's layout (constrained or tight) is executed first and then frozen; the
    figure is made taller by the caption's height and every axes and figure-level text
    keeps its size in inches, moved up. Call it last, after all drawing.

    Parameters
    ----------
    fig
        The figure.
    text
        Key assumptions behind the figure (wrapped to the figure width).
    vintage
        Data vintage, YYYY-MM-DD.
    seed
        Seed of the Monte Carlo behind the numbers (``None``: none).
    version
        riskmodel version.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig``; the caption is the figure text with gid ``"caption"``.
    """
    body = caption_string(text=text, vintage=vintage, seed=seed, version=version)
    width_in, height_in = fig.get_size_inches()
    chars = max(40, int((width_in - 2 * _CAPTION_PAD_IN) * 72 / (CAPTION_FONTSIZE * _CHAR_EM)))
    lines = [
        line
        for paragraph in body.splitlines()
        for line in (textwrap.wrap(paragraph, width=chars) or [""])
    ]
    caption_in = len(lines) * CAPTION_FONTSIZE * _LINE_SPACING / 72 + 2 * _CAPTION_PAD_IN
    _freeze_layout(fig)
    new_height = height_in + caption_in
    scale, shift = height_in / new_height, caption_in / new_height
    for ax in fig.axes:
        box = ax.get_position()
        ax.set_position((box.x0, box.y0 * scale + shift, box.width, box.height * scale))
    for artist in fig.texts:
        if artist.get_transform() == fig.transFigure:
            x, y = artist.get_position()
            artist.set_position((x, y * scale + shift))
    fig.set_size_inches(width_in, new_height)
    fig.text(
        _CAPTION_PAD_IN / width_in,
        _CAPTION_PAD_IN / new_height,
        "\n".join(lines),
        ha="left",
        va="bottom",
        fontsize=CAPTION_FONTSIZE,
        color="0.25",
        linespacing=_LINE_SPACING,
        gid="caption",
    )
    return fig


def save_figure(fig: Figure, path_without_suffix: str | Path) -> list[Path]:
    """Write ``<path>.png`` (:data:`PNG_DPI`) and ``<path>.svg`` atomically; close the figure.

    SVG text stays text (editable, searchable) and the files carry no creation date, so
    the same figure gives the same bytes. The figure is closed even if a write fails.

    Parameters
    ----------
    fig
        The figure.
    path_without_suffix
        Target path without suffix (a ``.png`` or ``.svg`` suffix is dropped).

    Returns
    -------
    list of pathlib.Path
        The PNG and SVG paths, in that order.
    """
    base = Path(path_without_suffix)
    if base.suffix.lower() in (".png", ".svg"):
        base = base.with_suffix("")
    written = []
    try:
        with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "riskmodel"}):
            for fmt, metadata in (("png", {"Software": None}), ("svg", {"Date": None})):
                target = base.parent / f"{base.name}.{fmt}"
                with atomic_path(target) as tmp:
                    fig.savefig(tmp, format=fmt, dpi=PNG_DPI, metadata=metadata)
                written.append(target)
    finally:
        plt.close(fig)
    return written
