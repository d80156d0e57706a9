"""Rebuild every derived dataset in ``data/`` from the raw inputs (``make data``).

Usage::

    python scripts/build_data.py [--raw data/raw] [--only NAME ...] [--out DIR]

Every ``scripts/data_<name>.py`` is discovered and its ``build(raw, out)`` is called with
``raw`` the folder of committed raw inputs (``data/raw``: the small public reference tables as
published, and the text-free Fifth Tribe derivative made by ``scripts/derive_fifthtribe.py``)
and ``out`` the folder ``data/<name>/``. A new dataset needs only a new ``data_<name>.py``;
a new raw input needs its source and licence in :data:`RAW_INPUTS`.

A ``build`` writes its data files with :func:`write_csv` (byte-deterministic) and its
``datapackage.json`` with :func:`write_package`. The descriptor (Frictionless-style) holds:

``name``, ``title``, ``description``
    What the dataset is.
``licenses``
    ``[{"name", "title", "path"}]``; the first is shown as the dataset's licence.
``sources``
    ``[{"title", "citation", "path"}]`` (``path`` is the URL).
``derived_from``
    ``{"script": "scripts/data_<name>.py", "script_sha256", "inputs": [{"path", "root",
    "sha256"}]}`` (:func:`derived_from`, :func:`input_entry`); paths are relative to the
    project (``root`` is ``project``); a raw input under ``data/raw`` also carries its
    ``source`` and ``licence``.
``caveats``
    Plain sentences the app shows beside the data.
``resources``
    One entry per file (:func:`resource`): ``name``, ``path``, ``format``, ``encoding``,
    ``bytes``, ``sha256``, ``rows``, ``frequency`` (D/W/M/Q/Y or null), ``period``
    (``{"start", "end"}`` ISO dates or null), ``analysis`` (default ``time``, ``value`` and, for
    long data, ``group``/``treated``; ``offset`` where one applies) and ``schema.fields``
    (``name``, ``type``, ``unit``, ``description``). The first resource is the default.

Nothing here stamps the build time, so re-running gives byte-identical files.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import pathlib
import sys

import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
DATA = ROOT / "data"
RAW = DATA / "raw"

# Every committed raw input, with where it comes from and under what terms (shown in the
# datasets' ``derived_from.inputs``). Paths are relative to ``data/raw``.
RAW_INPUTS = {
    "reference/sicily.csv": {
        "source": "Lopez Bernal, Cummins & Gasparrini (2017), Int J Epidemiol 46(1):348-355, "
        "doi:10.1093/ije/dyw098: the authors' supplementary data "
        "(github.com/gasparrini/2017_lopezbernal_IJE_codedata), as published",
        "licence": "no licence stated; published supplementary data of a peer-reviewed "
        "tutorial, redistributed unchanged with citation",
    },
    "reference/california_prop99.csv": {
        "source": "Abadie, Diamond & Hainmueller (2010), J Am Stat Assoc 105(490):493-505, "
        "doi:10.1198/jasa.2009.ap08746: replication data (the long layout of R synthdid's "
        "california_prop99), as published",
        "licence": "no licence stated; public replication data, redistributed unchanged with "
        "citation",
    },
    "reference/reference_results.csv": {
        "source": "Published results for both datasets, transcribed by hand from Lopez Bernal "
        "et al. (2017) and its code, and Linden (2015), Stata Journal 15(2):480-500",
        "licence": "facts quoted with citation; the compilation MIT (this project)",
    },
    "published_figures.csv": {
        "source": "Published figures around the AP's 2016-07-09 story (AP, WSJ, Berger & Morgan "
        "2015, Berger & Perez 2016, Twitter, Conway et al. 2017, ...), one source per row, "
        "compiled and checked by hand",
        "licence": "facts quoted with citation; the compilation MIT (this project)",
    },
    "fifthtribe/tweets_textfree.csv": {
        "source": "Derived by scripts/derive_fifthtribe.py from Fifth Tribe (2016), How ISIS "
        "Uses Twitter, Kaggle: time, account pseudonym, followers and hashtags per tweet; no "
        "text, user names, descriptions or locations",
        "licence": "CC0-1.0 (per the Kaggle page, as quoted in a 2016 copy of it)",
    },
}

REQUIRED_KEYS = ("name", "title", "description", "licenses", "sources", "derived_from", "resources")
FIELD_TYPES = ("string", "integer", "number", "boolean", "date")


def sha256_file(path: pathlib.Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def write_csv(frame: pd.DataFrame, path: pathlib.Path) -> None:
    """Write ``frame`` as UTF-8 CSV with ``\\n`` line ends, no index, missing values empty.

    Floats are written with Python's shortest round-trip repr, so the bytes depend only on the
    values (round them in the script first if they come out of arithmetic).
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8", na_rep="")


def input_entry(path: pathlib.Path, raw: pathlib.Path | None = None) -> dict:
    """``{"path", "root", "sha256"}`` of an input file of the project, and for a raw input (a
    file under ``raw``, default ``data/raw``) its ``source`` and ``licence`` from
    :data:`RAW_INPUTS`.

    The path is recorded as it sits in the project (``data/raw/reference/sicily.csv``) even
    when the build reads the raw files from elsewhere (``--raw DIR``), so a build from a copy
    gives the same bytes.

    Raises
    ------
    ValueError
        A file under the raw folder that :data:`RAW_INPUTS` does not describe (a build bug).
    """
    path = pathlib.Path(path).resolve()
    raw = pathlib.Path(raw).resolve() if raw is not None else RAW
    if path.is_relative_to(raw):
        key = path.relative_to(raw).as_posix()
        if key not in RAW_INPUTS:
            raise ValueError(f"raw input {key} has no source and licence in RAW_INPUTS")
        rel = (RAW / key).relative_to(ROOT).as_posix()
        return {"path": rel, "root": "project", "sha256": sha256_file(path), **RAW_INPUTS[key]}
    return {
        "path": path.relative_to(ROOT).as_posix(),
        "root": "project",
        "sha256": sha256_file(path),
    }


def derived_from(script: str | pathlib.Path, inputs: list[dict], **extra) -> dict:
    """The descriptor's ``derived_from``: the script (path and sha256) and its inputs."""
    script = pathlib.Path(script).resolve()
    return {
        "script": script.relative_to(ROOT).as_posix(),
        "script_sha256": sha256_file(script),
        "inputs": inputs,
        **extra,
    }


def resource(
    out: pathlib.Path,
    frame: pd.DataFrame,
    filename: str,
    *,
    name: str,
    title: str,
    fields: list[dict],
    frequency: str | None = None,
    analysis: dict | None = None,
    period_columns: tuple[str, str] | None = None,
    **extra,
) -> dict:
    """Write ``frame`` to ``out/filename`` and return its descriptor entry.

    Parameters
    ----------
    out
        The dataset's folder.
    frame
        The data, columns exactly in the order of ``fields``.
    filename
        The file's name inside ``out``.
    name, title
        The resource's short name (used as ``dataset/name`` on the CLI) and title.
    fields
        ``{"name", "type", "unit", "description"}`` per column; ``type`` is one of string,
        integer, number, boolean, date.
    frequency
        D, W, M, Q or Y for a time series; None for a plain table.
    analysis
        Default columns for analysis: ``{"time": ..., "value": ..., "group": ..., "treated": ...}``.
    period_columns
        (start column, end column) whose min/max give the period covered; defaults to
        ``analysis["time"]`` for both.
    **extra
        Other keys to keep in the entry (e.g. ``truth`` for the scenarios).

    Returns
    -------
    dict
        The resource entry, with the file's sha256, bytes and row count.

    Raises
    ------
    ValueError
        If the fields do not match the frame's columns (a build bug, not a user error).
    """
    names = [f["name"] for f in fields]
    if names != [str(c) for c in frame.columns]:
        raise ValueError(f"{filename}: schema fields {names} != columns {list(frame.columns)}")
    for f in fields:
        if f.get("type") not in FIELD_TYPES or not f.get("description"):
            raise ValueError(f"{filename}: field {f['name']!r} needs a type and a description")
    path = pathlib.Path(out) / filename
    write_csv(frame, path)
    analysis = {k: v for k, v in (analysis or {}).items() if v is not None}
    cols = period_columns or ((analysis["time"],) * 2 if "time" in analysis else None)
    period = None
    if cols:
        start = pd.to_datetime(frame[cols[0]], errors="coerce").min()
        end = pd.to_datetime(frame[cols[1]], errors="coerce").max()
        period = {"start": start.strftime("%Y-%m-%d"), "end": end.strftime("%Y-%m-%d")}
    entry = {
        "name": name,
        "title": title,
        "path": filename,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": path.stat().st_size,
        "sha256": sha256_file(path),
        "rows": int(len(frame)),
        "frequency": frequency,
        "period": period,
        "analysis": analysis,
        "schema": {"fields": [{"unit": None, **f} for f in fields]},
    }
    entry.update(extra)
    return entry


def write_package(out: pathlib.Path, descriptor: dict) -> pathlib.Path:
    """Check the descriptor's required keys and write ``out/datapackage.json`` deterministically."""
    missing = [k for k in REQUIRED_KEYS if not descriptor.get(k)]
    if missing:
        raise ValueError(f"datapackage for {out.name} lacks {missing}")
    if not all(lic.get("name") or lic.get("title") for lic in descriptor["licenses"]):
        raise ValueError(f"{out.name}: every licence needs a name or title")
    path = pathlib.Path(out) / "datapackage.json"
    text = json.dumps(descriptor, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def discover() -> dict[str, pathlib.Path]:
    """``{name: scripts/data_<name>.py}`` in name order."""
    return {p.stem.removeprefix("data_"): p for p in sorted(SCRIPTS.glob("data_*.py"))}


def _load(path: pathlib.Path):
    spec = importlib.util.spec_from_file_location(f"_build_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    if not callable(getattr(mod, "build", None)):
        raise SystemExit(f"{path}: defines no build(raw, out)")
    return mod


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", default=str(RAW), help="the raw inputs (default data/raw)")
    parser.add_argument("--only", nargs="*", help="build only these datasets")
    parser.add_argument("--out", default=str(DATA), help="write under this folder (default data/)")
    args = parser.parse_args(argv)
    raw = pathlib.Path(args.raw).resolve()
    missing = [k for k in RAW_INPUTS if not (raw / k).is_file()]
    if missing:
        sys.stderr.write(f"error: raw input {raw / missing[0]} not found: pass --raw DIR\n")
        return 2
    # The data scripts import these helpers (``from build_data import ...``) and the project.
    for p in (str(SCRIPTS), str(ROOT)):
        if p not in sys.path:
            sys.path.insert(0, p)
    scripts = discover()
    unknown = sorted(set(args.only or ()) - set(scripts))
    if unknown:
        sys.stderr.write(f"error: no scripts/data_{unknown[0]}.py (known: {', '.join(scripts)})\n")
        return 2
    for name, path in scripts.items():
        if args.only and name not in args.only:
            continue
        out = pathlib.Path(args.out) / name
        out.mkdir(parents=True, exist_ok=True)
        _load(path).build(raw, out)
        pkg = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
        rows = ", ".join(f"{r['path']} ({r['rows']} rows)" for r in pkg["resources"])
        print(f"{out}: {rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
