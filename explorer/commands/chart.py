"""``python -m explorer chart``: the ITS chart of a fit as PNG, SVG or HTML, for newsroom scripts.

Takes ``analyze``'s data and model flags, fits the model and writes the chart with its title,
subtitle, source line and notes drawn on the image. A PNG is exactly ``--width`` x ``--height``
pixels; ``--data-out`` writes the data behind the chart as CSV (one date column, one column per
series: observed, fitted, counterfactual and its interval).

Example::

    python -m explorer chart sicily.csv --time month_start --value aces --offset stdpop \\
        --family quasipoisson --seasonality fourier:2 --no-slope-change \\
        --intervention ban=2005-01 --title "Coronary events fell after the ban" \\
        --source "Lopez Bernal et al. 2017" --out ban.png --width 1200 --height 675 \\
        --data-out ban.csv
"""

from __future__ import annotations

import argparse
import pathlib
import sys

from explorer.commands._common import (
    add_data_arguments,
    add_json_argument,
    add_model_arguments,
    provenance,
    series_and_spec_from_args,
    write_json,
)
from explorer.errors import ExportUnavailable, InputError

HELP = "draw the ITS chart of a fit as PNG, SVG or HTML (title and source on the image)"
FORMATS = {".png": "png", ".svg": "svg", ".html": "html", ".htm": "html"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_data_arguments(p)
    add_model_arguments(p)
    g = p.add_argument_group("the chart")
    g.add_argument("--out", required=True, metavar="FILE", help="FILE.png, FILE.svg or FILE.html")
    g.add_argument("--title", help="title drawn on the chart")
    g.add_argument("--subtitle", help="subtitle drawn under the title")
    g.add_argument("--source", help="source line drawn under the chart (default: the data's name)")
    g.add_argument(
        "--note",
        action="append",
        default=[],
        metavar="TEXT",
        help="a note under the source (repeat)",
    )
    g.add_argument(
        "--preset",
        choices=("article", "social", "square"),
        help="size preset: article 640x400, social 1200x675, square 1080x1080 (default article)",
    )
    g.add_argument("--width", type=int, help="width in pixels (overrides the preset)")
    g.add_argument("--height", type=int, help="height in pixels (overrides the preset)")
    g.add_argument(
        "--scale", type=float, default=1.0, help="PNG pixel density (default 1: exact size)"
    )
    g.add_argument("--claim-start", metavar="DATE", help="shade a claim's window from DATE ...")
    g.add_argument("--claim-end", metavar="DATE", help="... to DATE")
    g.add_argument("--data-out", metavar="FILE.csv", help="write the data behind the chart as CSV")
    add_json_argument(p)


def _format(path: str) -> str:
    fmt = FORMATS.get(pathlib.Path(path).suffix.lower())
    if fmt is None:
        raise InputError(
            f"Cannot tell the format of --out {path!r}: end the file name in .png, .svg or .html."
        )
    return fmt


def run(args: argparse.Namespace) -> int:
    from explorer import charts, export
    from explorer.models.fit import fit_its

    fmt = _format(args.out)  # before the fit: a wrong name should fail fast
    if bool(args.claim_start) != bool(args.claim_end):
        raise InputError("Give both --claim-start and --claim-end to shade the claim's window.")
    if fmt != "html":
        export.renderer().prestart()  # Chromium starts while the data loads and the model fits
    table, series, spec = series_and_spec_from_args(args)
    result = fit_its(series, spec)
    source = args.source if args.source is not None else getattr(table, "name", None)
    text = charts.ChartText(
        title=args.title, subtitle=args.subtitle, source=source, notes=tuple(args.note or ())
    )
    window = (args.claim_start, args.claim_end) if args.claim_start else None
    chart = charts.its_chart(result, text=text, claim_window=window)
    size = dict(preset=args.preset, width=args.width, height=args.height)
    try:
        if fmt == "html":
            content = export.to_html(chart, **size).encode("utf-8")
        else:
            content = export.to_image(chart, fmt=fmt, scale=args.scale, **size)
    except ExportUnavailable as exc:
        sys.stderr.write(f"error: {' '.join(str(exc).split())}\n")
        return 3
    pathlib.Path(args.out).write_bytes(content)
    if args.data_out:
        pathlib.Path(args.data_out).write_bytes(export.to_csv(chart))
    if args.json:
        write_json(export.results_json(result, provenance=provenance(table)), args.json)
    return 0
