"""The bundled data catalogue: one folder per dataset under ``data/`` with a ``datapackage.json``.

``list_datasets()`` and ``get_dataset(name)`` read the descriptors (written by
``scripts/build_data.py``); ``load_dataset(name)`` loads a resource through the same loader as a
user's file, after checking its SHA-256 against the descriptor. A mismatch (someone edited the
file by hand, or forgot ``make data``) is never silent: it is a ``warnings.warn`` *and* a note
in the table's load report.

A dataset with several files is addressed as ``NAME/RESOURCE`` (``reference/prop99``,
``scenarios/gec_step``); a bare ``NAME`` means its first resource.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import warnings
from dataclasses import dataclass, field, replace

from explorer import paths
from explorer.errors import InputError

DATA_DIR = paths.DATA_DIR


class ChecksumWarning(UserWarning):
    """A bundled file's bytes do not match the sha256 in its datapackage.json."""


@dataclass(frozen=True, eq=False)
class DatasetInfo:
    """What the catalogue says about one dataset (and the resource selected in it).

    Attributes
    ----------
    name, resource
        The dataset's folder name and the selected resource (its first unless ``NAME/RESOURCE``).
    key
        ``name`` for a dataset's first resource, else ``name/resource``.
    title, description, licence, sources, caveats
        From the descriptor; ``licence`` is the selected resource's (else the dataset's) first
        licence title, ``licence_name`` its short name (MIT, CC0-1.0, unstated).
    frequency, rows, period
        Of the selected resource: D/W/M/Q/Y or None, row count, (start, end) ISO dates or None.
    resources
        Names of all the dataset's resources, first is the default.
    default_time, default_value, default_group, default_treated, default_offset
        Columns to analyse by default (None where they do not apply).
    sha256, path
        The selected resource's checksum and file.
    descriptor
        The whole ``datapackage.json`` as a dict.
    """

    name: str
    resource: str
    title: str
    description: str
    licence: str
    licence_name: str
    sources: tuple[dict, ...]
    frequency: str | None
    rows: int | None
    period: tuple[str, str] | None
    resources: tuple[str, ...]
    default_time: str | None
    default_value: str | None
    default_group: str | None
    default_treated: str | None
    default_offset: str | None
    caveats: tuple[str, ...]
    sha256: str
    path: pathlib.Path
    descriptor: dict = field(repr=False)
    default_intervention: str | None = None  # CLI form, e.g. "smokban=2005-01"
    # The method of the paper a reference dataset reproduces (Prop 99: Newey-West lag 1).
    default_errors: str | None = None
    default_hac_lags: int | None = None

    @property
    def key(self) -> str:
        return self.name if self.resource == self.resources[0] else f"{self.name}/{self.resource}"

    @property
    def resource_descriptor(self) -> dict:
        return next(r for r in self.descriptor["resources"] if r["name"] == self.resource)

    @property
    def fields(self) -> tuple[dict, ...]:
        """The selected resource's schema fields (name, type, unit, description)."""
        return tuple(self.resource_descriptor["schema"]["fields"])

    def to_dict(self) -> dict:
        """JSON-ready summary (what ``python -m explorer datasets --json`` prints)."""
        return {
            "name": self.key,
            "dataset": self.name,
            "resource": self.resource,
            "title": self.title,
            "rows": self.rows,
            "period": list(self.period) if self.period else None,
            "frequency": self.frequency,
            "licence": self.licence,
            "licence_name": self.licence_name,
            "sha256": self.sha256,
            "path": self.path.relative_to(self.path.parents[2]).as_posix(),
            "default_time": self.default_time,
            "default_value": self.default_value,
            "default_group": self.default_group,
            "default_treated": self.default_treated,
            "sources": list(self.sources),
            "caveats": list(self.caveats),
        }


def _root(root) -> pathlib.Path:
    return pathlib.Path(root) if root is not None else DATA_DIR


def _descriptors(root) -> dict[str, dict]:
    out = {}
    for p in sorted(_root(root).glob("*/datapackage.json")):
        out[p.parent.name] = json.loads(p.read_text(encoding="utf-8"))
    return out


def _info(name: str, desc: dict, resource: str | None, root) -> DatasetInfo:
    res_list = desc["resources"]
    names = tuple(r["name"] for r in res_list)
    res = (
        res_list[0]
        if resource is None
        else next((r for r in res_list if r["name"] == resource), None)
    )
    if res is None:
        raise InputError(
            f"Dataset {name!r} has no resource {resource!r}: use one of "
            f"{', '.join(f'{name}/{n}' for n in names)}."
        )
    licences = res.get("licenses") or desc.get("licenses") or []
    lic = licences[0] if licences else {}
    analysis = res.get("analysis") or {}
    period = res.get("period")
    return DatasetInfo(
        name=name,
        resource=res["name"],
        title=res.get("title") if resource is not None and res.get("title") else desc["title"],
        description=desc.get("description", ""),
        licence=lic.get("title") or lic.get("name") or "unknown",
        licence_name=lic.get("name") or lic.get("title") or "unknown",
        sources=tuple(res.get("sources") or desc.get("sources") or ()),
        frequency=res.get("frequency"),
        rows=res.get("rows"),
        period=(period["start"], period["end"]) if period else None,
        resources=names,
        default_time=analysis.get("time"),
        default_value=analysis.get("value"),
        default_group=analysis.get("group"),
        default_treated=analysis.get("treated"),
        default_offset=analysis.get("offset"),
        default_intervention=analysis.get("intervention"),
        default_errors=analysis.get("errors"),
        default_hac_lags=analysis.get("hac_lags"),
        caveats=tuple(desc.get("caveats") or ()),
        sha256=res["sha256"],
        path=_root(root) / name / res["path"],
        descriptor=desc,
    )


def list_datasets(*, root=None) -> list[DatasetInfo]:
    """Every dataset in the catalogue (its first resource), in name order.

    Examples
    --------
    >>> "events" in [d.name for d in list_datasets()]
    True
    """
    return [_info(n, d, None, root) for n, d in _descriptors(root).items()]


def list_resources(*, root=None) -> list[DatasetInfo]:
    """Every resource of every dataset (``reference/prop99`` included), in catalogue order."""
    return [
        _info(n, d, r["name"], root) for n, d in _descriptors(root).items() for r in d["resources"]
    ]


def _split(name: str) -> tuple[str, str | None]:
    name = str(name).strip()
    if "/" in name:
        ds, res = name.split("/", 1)
        return ds, res
    return name, None


def get_dataset(name: str, *, root=None) -> DatasetInfo:
    """The catalogue entry for ``NAME`` or ``NAME/RESOURCE``.

    Raises
    ------
    InputError
        If there is no such dataset or resource; the message lists the known names.

    Examples
    --------
    >>> get_dataset("reference/prop99").default_group
    'State'
    """
    ds, res = _split(name)
    descs = _descriptors(root)
    if ds not in descs:
        known = ", ".join(descs) or "none (run 'make data')"
        raise InputError(
            f"There is no dataset named {name!r} in the catalogue: use one of {known} "
            "(see 'python -m explorer datasets')."
        )
    return _info(ds, descs[ds], res, root)


def is_dataset_name(text: str, *, root=None) -> bool:
    """True if ``text`` names a dataset or ``dataset/resource`` in the catalogue."""
    try:
        get_dataset(text, root=root)
    except InputError:
        return False
    return True


def dataset_path(name: str, resource: str | None = None, *, root=None) -> pathlib.Path:
    """The file of a dataset's resource (its first unless named)."""
    return get_dataset(_join(name, resource), root=root).path


def _join(name: str, resource: str | None) -> str:
    return f"{_split(name)[0]}/{resource}" if resource else name


def verify(info: DatasetInfo) -> str | None:
    """None if the file's sha256 matches the descriptor, else a message saying what to do."""
    if not info.path.is_file():
        raise InputError(
            f"The file of dataset {info.key!r} is missing ({info.path}): run 'make data' to "
            "rebuild the catalogue."
        )
    actual = hashlib.sha256(info.path.read_bytes()).hexdigest()
    return None if actual == info.sha256 else _mismatch(info, actual)


def _mismatch(info: DatasetInfo, actual: str) -> str:
    return (
        f"CHECKSUM MISMATCH: {info.path.name} of dataset {info.key!r} has sha256 {actual[:12]}..., "
        f"but its datapackage.json says {info.sha256[:12]}...: the file was changed by hand or "
        "not rebuilt. Results may not match the documented data; run 'make data'."
    )


def read_frame(name: str, resource: str | None = None, *, root=None):
    """A resource as a DataFrame typed by its schema (dates as datetimes), checksum verified.

    For tables that are not time series (published figures, events, results); a mismatched
    checksum warns (``ChecksumWarning``) and the data are still returned.
    """
    import pandas as pd

    info = get_dataset(_join(name, resource), root=root)
    msg = verify(info)
    if msg:
        warnings.warn(msg, ChecksumWarning, stacklevel=2)
    types = {f["name"]: f["type"] for f in info.fields}
    dtypes = {n: "string" for n, t in types.items() if t in ("string", "date")}
    df = pd.read_csv(
        info.path,
        dtype=dtypes,
        keep_default_na=False,
        na_values={n: [""] for n, t in types.items() if t not in ("string",)},
    )
    for n, t in types.items():
        if t == "date":
            df[n] = pd.to_datetime(df[n].replace("", None), format="%Y-%m-%d")
        elif t == "string":
            df[n] = df[n].astype("string")
    return df


def load_dataset(name: str, resource: str | None = None, *, root=None):
    """Load a catalogue time series through ``explorer.io.loader.load_table``.

    Parameters
    ----------
    name
        ``NAME`` or ``NAME/RESOURCE`` (see ``python -m explorer datasets``).
    resource
        The resource, if not given in ``name``.

    Returns
    -------
    explorer.io.loader.Table
        Named by the catalogue key; a checksum mismatch adds a note to ``table.report`` and
        warns (``ChecksumWarning``).

    Raises
    ------
    InputError
        Unknown dataset or resource, or a resource that is not a time series (use
        ``read_frame``, ``explorer.catalog.claims`` or ``explorer.catalog.events`` for those).

    Examples
    --------
    >>> load_dataset("scenarios/gec_step").frame.shape[0]
    26
    """
    from explorer.io.loader import load_table

    info = get_dataset(_join(name, resource), root=root)
    if not info.default_time:
        raise InputError(
            f"{info.key!r} is a table, not a time series: open it with explorer.catalog.datasets."
            "read_frame (or explorer.catalog.claims / explorer.catalog.events), or analyse one of "
            f"{', '.join(d.key for d in list_resources(root=root) if d.default_time)}."
        )
    if not info.path.is_file():
        verify(info)  # raises the "run make data" message
    table = load_table(info.path, filename=info.path.name, time=info.default_time)
    report = table.report
    if table.sha256 != info.sha256:
        msg = _mismatch(info, table.sha256)
        warnings.warn(msg, ChecksumWarning, stacklevel=2)
        report = replace(report, notes=(msg, *report.notes))
    return replace(table, name=info.key, report=report)
