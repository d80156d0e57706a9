"""Exports for articles: PNG/SVG, standalone HTML, the data as CSV/Excel, results JSON.

The methods paragraph and alt text are in ``explorer.export.prose``, the reproducibility zip in
``explorer.export.bundle``.

Static images come from kaleido 1.5 driving one warm headless Chromium per process: started on
the first PNG/SVG, then reused (0.1-0.2 s per image instead of 2-5 s with a new browser; the
CLI starts it in the background while it fits, ``Renderer.prestart``).
We drive ``kaleido.Kaleido`` on our own event-loop thread rather than through
``kaleido.start_sync_server``: that server waits forever if Chromium is missing or dies (its
worker thread ends and the caller blocks on a queue without a timeout), whereas here every call
has a timeout, a dead browser is restarted once, and failures become ``ExportUnavailable`` with
a message the app and the CLI show as is. The other exports need no browser and keep working.

The browser is found as: ``$EXPLORER_CHROMIUM``, else ``$BROWSER_PATH`` (choreographer's own
variable), else Debian's ``/usr/bin/chromium``, else chromium or chrome on ``PATH``.

Sizes: a preset (or ``width``/``height``) is the figure's size in CSS pixels, which also sets the
font sizes; the PNG has exactly ``width * scale`` x ``height * scale`` pixels, and ``scale``
defaults to 1 so the PNG is exactly the size asked for. Use ``scale=2`` for a sharper image at
the same layout (an article column at 2x is 1280 x 800 pixels).

Spreadsheet safety (issue 8): in CSV and Excel output, a text cell that begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'`` so spreadsheets never run
it as a formula, unless it is a plain number (``-0.45`` stays a number).
"""

from __future__ import annotations

import asyncio
import atexit
import html
import io
import json
import math
import os
import re
import shutil
import threading
from dataclasses import dataclass

import pandas as pd

from explorer.errors import ExportUnavailable, InputError
from explorer.schema import SCHEMA_VERSION, clean

__all__ = [
    "PRESETS",
    "ExportUnavailable",
    "Preset",
    "browser_path",
    "static_export_available",
    "neutralise",
    "renderer",
    "results_json",
    "to_csv",
    "to_excel",
    "to_html",
    "to_image",
    "to_png",
    "to_svg",
]


@dataclass(frozen=True)
class Preset:
    """An export size: ``width`` x ``height`` CSS pixels, rendered at ``scale``."""

    width: int
    height: int
    scale: float = 1.0
    label: str = ""


# The PNG of each preset is exactly width x height pixels (scale 1).
PRESETS = {
    "article": Preset(640, 400, 1.0, "Article column, 640 x 400"),
    "social": Preset(1200, 675, 1.0, "Social card, 1200 x 675 (16:9)"),
    "square": Preset(1080, 1080, 1.0, "Square, 1080 x 1080"),
}
MIN_SIZE, MAX_SIZE = 200, 4000
START_TIMEOUT = 45.0  # seconds to start Chromium on a loaded 2-core machine
RENDER_TIMEOUT = 30.0


# -- the warm browser --------------------------------------------------------------------------


def browser_path() -> str | None:
    """The Chromium the static exports use (see the module docstring for the search order)."""
    for var in ("EXPLORER_CHROMIUM", "BROWSER_PATH"):
        if os.environ.get(var):
            return os.environ[var]
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def static_export_available() -> str | None:
    """None if a browser for PNG/SVG is there; else the message to show (nothing is started).

    The app can call it to say "PNG and SVG are unavailable here" beside the export buttons
    before anyone clicks; a browser that exists but crashes still surfaces on export.
    """
    path = browser_path()
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return None
    where = f" at {path}" if path else ""
    return f"PNG and SVG export needs Chromium, which was not found{where}. {_FIX}"


_FIX = (
    "Install Debian's chromium (apt-get install chromium) or set EXPLORER_CHROMIUM to a "
    "Chrome/Chromium executable. Interactive HTML, CSV and JSON exports still work."
)


RELOAD_EVERY = 25  # renders between reloads of kaleido's page


def _kaleido_class(kaleido):
    """kaleido's browser, reloading its page every ``RELOAD_EVERY`` renders instead of after each.

    Kaleido 1.5 reloads its tab after every image, before returning it: about 0.18 s of a 0.26 s
    warm PNG here. The images are the same without the reload (checked byte for byte for PNG;
    SVGs differ only in plotly's random clip-path ids), so reload now and then to keep the
    page's memory bounded. If kaleido's private hook changes, its own behaviour is kept.
    """

    class _Kaleido(kaleido.Kaleido):
        _explorer_renders = 0

        async def _return_kaleido_tab(self, tab):
            self._explorer_renders += 1
            if self._explorer_renders % RELOAD_EVERY == 0:
                return await super()._return_kaleido_tab(tab)
            await self.tabs_ready.put(tab)

    if not hasattr(kaleido.Kaleido, "_return_kaleido_tab"):
        return kaleido.Kaleido
    return _Kaleido


class Renderer:
    """One headless Chromium driven by kaleido, started lazily and reused.

    Thread-safe: Streamlit sessions may export at the same time; kaleido queues them on its tab.

    Parameters
    ----------
    path
        The browser executable (default: ``browser_path()`` at start time).
    """

    def __init__(self, path: str | None = None):
        self._path = path
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None
        self.starts = 0  # how many browsers this renderer has started (for tests and benches)

    @property
    def running(self) -> bool:
        return self._kaleido is not None

    @property
    def pid(self) -> int | None:
        """The browser process id (tests use it to simulate a crash)."""
        proc = getattr(self._kaleido, "subprocess", None)
        return getattr(proc, "pid", None)

    def _start(self) -> None:
        import kaleido

        path = self._path or browser_path()
        if not path or not (os.path.isfile(path) and os.access(path, os.X_OK)):
            where = f" at {path}" if path else ""
            raise ExportUnavailable(
                f"PNG and SVG export needs Chromium, which was not found{where}. {_FIX}"
            )
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="explorer-kaleido", daemon=True)
        thread.start()

        async def open_browser():
            k = _kaleido_class(kaleido)(n=1, mathjax=False, path=path, timeout=RENDER_TIMEOUT)
            await k.open()
            return k

        fut = asyncio.run_coroutine_threadsafe(open_browser(), loop)
        try:
            self._kaleido = fut.result(timeout=START_TIMEOUT)
        except BaseException as exc:  # noqa: BLE001 - any failure to start means "unavailable"
            fut.cancel()
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
            raise ExportUnavailable(
                f"Chromium at {path} could not be started for PNG/SVG export "
                f"({type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else 'no detail'}). {_FIX}"
            ) from None
        self._loop, self._thread = loop, thread
        self.starts += 1

    def prestart(self) -> None:
        """Start the browser in the background, so that it is warm when the first image is asked.

        The CLI calls it before loading and fitting. A failure here is silent: the render that
        follows tries again and raises ``ExportUnavailable`` with the reason.
        """

        def start():
            with self._lock:
                if not self.running:
                    try:
                        self._start()
                    except ExportUnavailable:
                        pass

        threading.Thread(target=start, name="explorer-kaleido-prestart", daemon=True).start()

    def stop(self) -> None:
        """Close the browser (best effort, bounded in time); the next render starts a new one."""
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        k, loop, thread = self._kaleido, self._loop, self._thread
        self._kaleido = self._loop = self._thread = None
        if loop is None:
            return
        proc = getattr(k, "subprocess", None)
        try:
            if proc is not None and proc.poll() is not None:
                raise ChildProcessError  # already dead: nothing to close politely
            asyncio.run_coroutine_threadsafe(k.close(), loop).result(timeout=5)
        except BaseException:  # noqa: BLE001 - a dead browser cannot close cleanly
            if proc is not None and proc.poll() is None:
                proc.kill()
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=5)

    def render(self, fig, *, fmt: str, width: int, height: int, scale: float = 1.0) -> bytes:
        """Render a plotly figure (or its dict) to PNG/SVG bytes, restarting a dead browser once.

        Raises
        ------
        ExportUnavailable
            Chromium is missing, will not start, or crashed twice.
        """
        opts = dict(format=fmt, width=int(width), height=int(height), scale=float(scale))
        last = None
        for _attempt in range(2):
            with self._lock:
                proc = getattr(self._kaleido, "subprocess", None)
                if proc is not None and proc.poll() is not None:
                    self._stop_locked()  # the browser died since the last image: start afresh
                if not self.running:
                    self._start()
                k, loop = self._kaleido, self._loop
            fut = asyncio.run_coroutine_threadsafe(k.calc_fig(fig, opts=opts), loop)
            try:
                out = fut.result(timeout=RENDER_TIMEOUT + 5)
            except Exception as exc:
                if type(exc).__name__ == "JavascriptError":
                    raise  # a bad figure is our bug, not the browser's: let it surface
                last = exc
                fut.cancel()
                with self._lock:
                    if self._kaleido is k:
                        self._stop_locked()
                continue
            return out if isinstance(out, bytes) else bytes(out)
        detail = f"{type(last).__name__}: {str(last).splitlines()[0][:160] if str(last) else ''}"
        raise ExportUnavailable(f"Chromium stopped while making the image ({detail}). {_FIX}")


_RENDERER: Renderer | None = None
_RENDERER_LOCK = threading.Lock()


def renderer() -> Renderer:
    """The process's shared renderer (its browser starts on the first PNG/SVG)."""
    global _RENDERER
    with _RENDERER_LOCK:
        if _RENDERER is None:
            _RENDERER = Renderer()
            atexit.register(_RENDERER.stop)
        return _RENDERER


# -- images and HTML ---------------------------------------------------------------------------


def _size(preset: str | None, width: int | None, height: int | None, scale: float | None):
    p = PRESETS["article"]
    if preset is not None:
        if preset not in PRESETS:
            raise InputError(f"Unknown size preset {preset!r}: use one of {', '.join(PRESETS)}.")
        p = PRESETS[preset]
    w, h = int(width or p.width), int(height or p.height)
    for what, v in (("width", w), ("height", h)):
        if not MIN_SIZE <= v <= MAX_SIZE:
            raise InputError(
                f"The {what} {v} is out of range: give {MIN_SIZE} to {MAX_SIZE} pixels."
            )
    s = float(scale if scale is not None else p.scale)
    if not 0.5 <= s <= 4:
        raise InputError(f"The scale {s:g} is out of range: give 0.5 to 4 (1 = exact pixel size).")
    return w, h, s


def _laid_out(chart, width: int, height: int):
    """A figure at the export size: a ``Chart`` is laid out again, a bare figure just resized."""
    if hasattr(chart, "sized"):
        return chart.sized(width, height)
    import plotly.graph_objects as go

    fig = go.Figure(chart)
    fig.update_layout(width=width, height=height, autosize=False)
    return fig


def to_image(
    chart,
    *,
    fmt: str = "png",
    preset: str | None = None,
    width: int | None = None,
    height: int | None = None,
    scale: float | None = None,
    renderer_: Renderer | None = None,
) -> bytes:
    """PNG or SVG bytes of a chart with its title, subtitle, source and notes on the image.

    Parameters
    ----------
    chart
        A ``explorer.charts.base.Chart`` (laid out again for the size) or a plotly figure.
    fmt
        ``png`` or ``svg``.
    preset
        ``article`` (640 x 400, the default), ``social`` (1200 x 675) or ``square`` (1080 x 1080).
    width, height
        CSS pixels; override the preset.
    scale
        Pixel density; 1 (default) gives a PNG of exactly ``width`` x ``height`` pixels.
    renderer_
        A ``Renderer`` (default: the process's warm one).

    Returns
    -------
    bytes

    Raises
    ------
    ExportUnavailable
        Chromium is missing or crashed; the other exports still work.
    InputError
        A size out of range or an unknown preset or format.

    Examples
    --------
    >>> png = to_image(chart, preset="social")  # doctest: +SKIP
    """
    if fmt not in ("png", "svg"):
        raise InputError(f"Unknown image format {fmt!r}: use png or svg.")
    w, h, s = _size(preset, width, height, scale)
    fig = _laid_out(chart, w, h)
    return (renderer_ or renderer()).render(fig, fmt=fmt, width=w, height=h, scale=s)


def to_png(chart, **kw) -> bytes:
    """``to_image(chart, fmt="png", ...)``."""
    return to_image(chart, fmt="png", **kw)


def to_svg(chart, **kw) -> bytes:
    """``to_image(chart, fmt="svg", ...)``."""
    return to_image(chart, fmt="svg", **kw)


def to_html(
    chart,
    *,
    preset: str | None = None,
    width: int | None = None,
    height: int | None = None,
    plotlyjs: str = "inline",
) -> str:
    """A standalone interactive HTML page.

    ``plotlyjs="inline"`` (default) carries plotly.js in the page (about 4.8 MB), so it works
    offline; ``plotlyjs="cdn"`` loads it from the plotly CDN (``PLOTLY_CDN``): a page of a few
    kilobytes to host beside a story and embed with ``embed_snippet``.

    User text is already escaped on the figure, and plotly writes the figure's JSON with ``<``,
    ``>`` and ``/`` escaped, so nothing in it can close the script element.
    """
    if plotlyjs not in ("inline", "cdn"):
        raise InputError(f"Unknown plotly.js mode {plotlyjs!r}: use inline or cdn.")
    w, h, _ = _size(
        preset,
        width or (640 if preset is None else None),
        height or (420 if preset is None else None),
        1,
    )
    fig = _laid_out(chart, w, h)
    page = fig.to_html(
        include_plotlyjs=True if plotlyjs == "inline" else "cdn",
        include_mathjax=False,
        full_html=True,
        config={"displaylogo": False, "responsive": False},
    )
    title = getattr(getattr(chart, "text", None), "title", None) or "Chart"
    return page.replace("<head>", f"<head><title>{html.escape(title)}</title>", 1)


def plotly_cdn_url() -> str:
    """Where the CDN export loads plotly.js from (the version this plotly writes)."""
    from plotly.offline.offline import get_plotlyjs_version

    return f"https://cdn.plot.ly/plotly-{get_plotlyjs_version()}.min.js"


def embed_snippet(url: str, *, width: int, height: int, title: str | None = None) -> str:
    """An ``<iframe>`` to paste into a CMS: the CDN HTML export hosted at ``url``.

    The frame takes the column's width (``width`` is its maximum) at the export's height.
    """
    t = html.escape(title or "Chart", quote=True)
    u = html.escape(url, quote=True)
    return (
        f'<iframe src="{u}" title="{t}" width="{int(width)}" height="{int(height)}" '
        f'style="width:100%;max-width:{int(width)}px;border:0" loading="lazy"></iframe>'
    )


# -- data: CSV and Excel -------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell safe for spreadsheets: risky leading characters get a ``'``, numbers stay numbers.

    Examples
    --------
    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise("-0.45"), neutralise(-0.45)
    ('-0.45', -0.45)
    """
    if isinstance(value, str) and value.startswith(_RISKY) and not _NUMBER.match(value):
        return "'" + value
    return value


def _data_of(chart_or_frame) -> pd.DataFrame:
    data = getattr(chart_or_frame, "data", chart_or_frame)
    if not isinstance(data, pd.DataFrame):
        raise InputError("There is no table behind this chart to export.")
    return data


def _safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Dates as YYYY-MM-DD text, every text cell and header neutralised."""
    out = pd.DataFrame(index=range(len(df)))
    for col in df.columns:
        s = df[col].reset_index(drop=True)
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            pass
        else:
            s = s.map(lambda v: neutralise(v) if isinstance(v, str) else v).astype(object)
        out[neutralise(str(col))] = s
    return out


def _no_cr(v):
    return v.replace("\r\n", "\n").replace("\r", "\n") if isinstance(v, str) else v


def to_csv(chart_or_frame) -> bytes:
    """The data behind a chart as UTF-8 CSV, Datawrapper-ready (one date column, one per series).

    Missing values are empty cells; numbers are written at full precision.
    """
    buf = io.StringIO()
    # csv quotes a field only for the characters of its line terminator ("\n"): a bare CR went
    # out unquoted, and spreadsheets break the row there, so "x\r=1+1" ran as a formula.
    df = _safe_frame(_data_of(chart_or_frame))
    df = df.rename(columns=_no_cr).apply(lambda s: s.map(_no_cr) if s.dtype == object else s)
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8")


def to_excel(chart_or_frame, *, sheet: str = "data") -> bytes:
    """The data behind a chart as an .xlsx workbook, with the same formula neutralisation."""
    from openpyxl import Workbook

    df = _safe_frame(_data_of(chart_or_frame))
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([str(c) for c in df.columns])
    for row in df.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, float) and not math.isfinite(v):
                v = None
            cells.append(v)
        ws.append(cells)
    for row in ws.iter_rows():
        for cell in row:
            # openpyxl turns any string starting with "=" into a formula; text stays text.
            if isinstance(cell.value, str):
                cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- results JSON ----------------------------------------------


def results_json(result, *, provenance: dict | None = None) -> dict:
    """The results as the CLI writes them: ``ItsResult.to_dict()`` plus ``provenance``."""
    d = dict(result.to_dict())
    d.setdefault("schema_version", SCHEMA_VERSION)
    if provenance is not None:
        d["provenance"] = dict(provenance)
    return clean(d)


def results_json_bytes(result, *, provenance: dict | None = None) -> bytes:
    """``results_json`` serialised (NaN never appears: it becomes null)."""
    return (
        json.dumps(results_json(result, provenance=provenance), indent=2, allow_nan=False) + "\n"
    ).encode()
