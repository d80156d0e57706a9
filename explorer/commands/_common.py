"""Flags and plumbing shared by the commands that fit models (analyze, sweep, placebo, specs, ...).

One definition of the data and model flags, so every subcommand reads them the same way and the
app builds the same ``ItsSpec`` from its widgets.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

from explorer import schema
from explorer.errors import InputError
from explorer.spec import ItsSpec, parse_errors, parse_intervention, parse_seasonality


def add_data_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("data", metavar="DATA", help="a CSV/TSV/XLSX/Parquet path or a catalogue name")
    p.add_argument("--time", help="time column, or YEAR,MONTH for two columns (default: detected)")
    p.add_argument("--value", help="outcome column (default: the dataset's default)")
    p.add_argument("--sheet", help="Excel sheet name (default: the first sheet)")
    p.add_argument("--group", help="long data: the column that names each series")
    p.add_argument("--treated", help="long data: the treated group's value in --group")
    p.add_argument("--control", help="a control series column (comparative ITS)")
    p.add_argument(
        "--offset", "--exposure", dest="offset", help="exposure column, enters as log(COL)"
    )
    p.add_argument(
        "--covariate", action="append", default=[], metavar="COL", help="extra regressor (repeat)"
    )


def add_model_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--intervention",
        action="append",
        default=[],
        metavar="SPEC",
        help="LABEL=DATE[:level|:ramp=N|:until=DATE] or a catalogue key such as gec (repeat)",
    )
    p.add_argument("--no-slope-change", action="store_true", help="level-only changes by default")
    p.add_argument("--family", default="gaussian", help="gaussian, poisson, quasipoisson or negbin")
    p.add_argument("--log", action="store_true", help="gaussian on log(y); effects as ratios too")
    p.add_argument("--errors", help="ols, hac, model or ar:P (default: hac; counts: model)")
    p.add_argument("--hac-lags", type=int, help="Newey-West lags (default floor(4(n/100)^(2/9)))")
    p.add_argument("--seasonality", default="none", help="none, dow, month or fourier:K")
    p.add_argument(
        "--model",
        default="segmented",
        help="segmented, sarimax, structural or structural-forecast",
    )


def add_json_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", metavar="FILE|-", help="write the results as JSON ('-' for stdout)")


def _resolver():
    from explorer.catalog.events import resolve

    return resolve


def spec_from_args(args: argparse.Namespace, *, time: str, value: str) -> ItsSpec:
    """The frozen spec the flags describe."""
    errors, ar_order = parse_errors(getattr(args, "errors", None))
    season, k = parse_seasonality(getattr(args, "seasonality", "none"))
    ivs = tuple(
        parse_intervention(
            text, resolve=_resolver(), slope_change=not getattr(args, "no_slope_change", False)
        )
        for text in getattr(args, "intervention", []) or []
    )
    return ItsSpec(
        time=time,
        value=value,
        interventions=ivs,
        group=args.group,
        treated=args.treated,
        control=args.control,
        offset=args.offset,
        covariates=tuple(args.covariate or ()),
        family=getattr(args, "family", "gaussian"),
        log=getattr(args, "log", False),
        errors=errors,
        ar_order=ar_order,
        hac_lags=getattr(args, "hac_lags", None),
        seasonality=season,
        fourier_k=k,
        model=getattr(args, "model", "segmented"),
    )


def load_table_from_args(args: argparse.Namespace):
    """Load DATA (a path or a catalogue name) -> (Table, default value column or None)."""
    from explorer import catalog
    from explorer.io.loader import load_table

    if catalog.is_dataset_name(args.data) and not pathlib.Path(args.data).exists():
        info = catalog.get_dataset(args.data)
        return catalog.load_dataset(args.data), info.default_value
    path = pathlib.Path(args.data)
    if not path.is_file():
        raise InputError(
            f"No file or dataset named {args.data!r}: give a path to a CSV, TSV, XLSX or Parquet "
            "file, or a catalogue name (see 'python -m explorer datasets')."
        )
    return load_table(path, sheet=args.sheet, time=args.time), None


def series_and_spec_from_args(args: argparse.Namespace):
    """-> (table, series, spec): the data and the spec exactly as the flags describe them."""
    from explorer.io.series import series_from_spec

    table, default_value = load_table_from_args(args)
    value = args.value or default_value
    if not value:
        value = _only_numeric_column(table)
    spec = spec_from_args(args, time=table.time_column, value=value)
    return table, series_from_spec(table, spec), spec


def _only_numeric_column(table) -> str:
    """The value column when ``--value`` is not given: the table's one numeric column (said on
    stderr), else an error naming the candidates."""
    import pandas as pd

    skip = {table.time_column, getattr(table, "group_column", None)}
    others = [c for c in table.frame.columns if c not in skip]
    numeric = [c for c in others if pd.api.types.is_numeric_dtype(table.frame[c])]
    if len(numeric) == 1:
        sys.stderr.write(
            f"note: analysing column {numeric[0]!r}, the only numeric column (another with "
            "--value COLUMN)\n"
        )
        return str(numeric[0])
    shown = numeric or others
    raise InputError(
        f"Say which column to analyse with --value (numeric columns: "
        f"{', '.join(map(str, shown)) or 'none'})."
    )


def provenance(table) -> dict:
    """``explorer.schema.provenance`` of a loaded table."""
    return schema.provenance(table.name, table.sha256)


def write_json(obj: dict, dest: str | None) -> None:
    """Write ``obj`` as JSON to ``dest`` ('-' = stdout); NaN never appears in the output."""
    if not dest:
        return
    text = json.dumps(schema.clean(obj), indent=2, allow_nan=False)
    if dest == "-":
        sys.stdout.write(text + "\n")
    else:
        pathlib.Path(dest).write_text(text + "\n", encoding="utf-8")


def claims_envelope(command: str) -> dict:
    """The fields a JSON output about the published figures starts with: schema version, the
    command, and the figures table it read (dataset, sha256, explorer version)."""
    import explorer
    from explorer import catalog
    from explorer.catalog.claims import DATASET
    from explorer.schema import SCHEMA_VERSION

    info = catalog.get_dataset(DATASET)
    return {
        "schema_version": SCHEMA_VERSION,
        "command": command,
        "provenance": {"dataset": DATASET, "sha256": info.sha256, "explorer": explorer.__version__},
    }
