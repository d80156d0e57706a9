"""The layers hold: the import graph of ``explorer/`` (read from the source with ``ast``, lazy
imports inside functions included, only ``if TYPE_CHECKING:`` blocks skipped) has no circles, the
core never imports the CLI or Streamlit, no module takes a private name from another, package
``__init__`` files stay light, and ``ARCHITECTURE.md`` names every module."""

from __future__ import annotations

import ast
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PKG = ROOT / "explorer"

# The layers, lowest first: a module may import only from its own layer or the ones below
# (ARCHITECTURE.md draws the same picture). Checked on the first two name parts.
LAYERS = [
    {"explorer", "explorer.errors", "explorer.paths", "explorer.schema"},
    {"explorer.spec", "explorer.periods"},
    {"explorer.io"},
    {"explorer.models"},
    {"explorer.robustness", "explorer.attribution", "explorer.catalog"},
    {
        "explorer.charts",
        "explorer.export",
        "explorer.tweets",
        "explorer.urlstate",
        "explorer.answer",
    },
    {"explorer.commands", "explorer.cli", "explorer.__main__"},
]
UI_ONLY = ("streamlit",)  # never imported under explorer/
CLI = ("explorer.commands", "explorer.cli", "explorer.__main__")
HEAVY = ("statsmodels", "scipy.stats", "plotly", "duckdb", "kaleido")


def _modules(root: pathlib.Path, base: str) -> dict[str, pathlib.Path]:
    mods = {}
    for p in root.rglob("*.py"):
        parts = list(p.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = p
    return mods


MODS = _modules(PKG, "explorer")


def _resolve(name: str, mods) -> str | None:
    while name and name not in mods:
        name = name.rpartition(".")[0]
    return name or None


def _type_checking_nodes(tree) -> set[int]:
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test):
            out.update(id(m) for m in ast.walk(n))
    return out


def imports_of(mod: str, path: pathlib.Path, mods=MODS):
    """-> [(target module or external name, imported name or None, line)] of every import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    pkg = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    out = []
    for n in ast.walk(tree):
        if id(n) in skip:
            continue
        if isinstance(n, ast.Import):
            for a in n.names:
                out.append((a.name, None, n.lineno))
        elif isinstance(n, ast.ImportFrom):
            base = n.module or ""
            if n.level:
                up = pkg.split(".")[: len(pkg.split(".")) - n.level + 1]
                base = ".".join(up + ([base] if base else []))
            for a in n.names:
                out.append((base, a.name, n.lineno))
    return out


def graph(mods=MODS):
    """-> (edges: module -> set of explorer modules, layer errors, private imports)."""
    edges, bad_layer, private = {}, [], []
    for m, p in mods.items():
        deps = set()
        for base, name, line in imports_of(m, p, mods):
            top = base.split(".")[0]
            if top in UI_ONLY:
                bad_layer.append(f"{m}:{line} imports {base}")
            if top != "explorer":
                continue
            full = f"{base}.{name}" if name else base
            tgt = _resolve(full, mods) if full in mods else _resolve(base, mods)
            deps.add(tgt)
            if name and name.startswith("_") and not name.startswith("__"):
                if full not in mods and tgt != m:
                    private.append(f"{m}:{line} takes {name} from {base}")
            if tgt and tgt.startswith(CLI) and not m.startswith(CLI):
                bad_layer.append(f"{m}:{line} imports the CLI ({tgt})")
        deps.discard(None)
        deps.discard(m)
        edges[m] = deps
    return edges, bad_layer, private


def circles(edges) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def layer_of(mod: str) -> int:
    key = ".".join(mod.split(".")[:2])
    for i, names in enumerate(LAYERS):
        if key in names:
            return i
    raise AssertionError(f"{mod} is in no layer of tests/test_architecture.py: add it")


EDGES, BAD_LAYER, PRIVATE = graph()


def test_no_import_circles():
    assert circles(EDGES) == []


def test_core_never_imports_the_cli_or_streamlit():
    assert BAD_LAYER == []


def test_no_module_takes_a_private_name_from_another():
    assert PRIVATE == []


def test_imports_go_down_the_layers():
    up = [
        f"{m} -> {d}"
        for m, deps in EDGES.items()
        for d in deps
        if layer_of(d) > layer_of(m) and not (m == "explorer" and d == "explorer.errors")
    ]
    assert up == []


def test_no_module_getattr_shims():
    shims = [m for m, p in MODS.items() if re.search(r"(?m)^def __getattr__\(", p.read_text())]
    assert shims == []


def test_the_top_level_shows_subpackages():
    flat = [p.name for p in PKG.glob("*.py") if p.name != "__init__.py"]
    subpackages = [p.name for p in PKG.iterdir() if (p / "__init__.py").is_file()]
    assert len(flat) <= 14, flat
    assert len(subpackages) >= 5, subpackages


@pytest.mark.parametrize("pkg", sorted(m for m, p in MODS.items() if p.name == "__init__.py"))
def test_each_package_lists_its_public_names(pkg):
    text = MODS[pkg].read_text()
    if pkg == "explorer.commands":  # subcommand modules are found by name (explorer.cli)
        return
    tree = ast.parse(text)
    names = [
        n for n in tree.body if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "__all__"
    ]
    assert names, f"{pkg} has no __all__"
    listed = ast.literal_eval(names[0].value)
    ns: dict = {}
    exec(compile(f"from {pkg} import *", "<all>", "exec"), ns)  # every listed name exists
    assert set(listed) <= set(ns)


def test_importing_every_package_stays_light():
    """First paint must not wait for statsmodels, scipy.stats, plotly, duckdb or kaleido."""
    pkgs = sorted(m for m, p in MODS.items() if p.name == "__init__.py")
    code = (
        f"import sys\nimport {', '.join(pkgs)}\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


# -- the test itself catches what it should -----------------------------------------------------


def _fake(tmp_path, files: dict[str, str]):
    root = tmp_path / "explorer"
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return _modules(root, "explorer")


def test_the_graph_sees_a_lazy_circle_a_cli_import_and_a_private_name(tmp_path):
    mods = _fake(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "def f():\n    from explorer.b import g\n",
            "b.py": "from explorer import a\nfrom explorer.c import _helper\n",
            "c.py": "import streamlit as st\n\ndef _helper():\n    from explorer.commands import x\n",
            "d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from explorer import e\n",
            "e.py": "from explorer import d\n",
            "commands/__init__.py": "",
            "commands/x.py": "import json\n",
        },
    )
    edges, bad_layer, private = graph(mods)
    assert circles(edges) == [["explorer.a", "explorer.b"]]  # d <-> e only under TYPE_CHECKING
    assert any("streamlit" in b for b in bad_layer) and any("CLI" in b for b in bad_layer)
    assert private == ["explorer.b:2 takes _helper from explorer.c"]


# -- the module map -----------------------------------------------------------------------------


def _documented() -> str:
    return (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")


def _ui_modules() -> list[str]:
    files = sorted(ROOT.joinpath("app_pages").rglob("*.py"))
    mods = [p.relative_to(ROOT).as_posix() for p in files if p.name != "__init__.py"]
    pkgs = [
        p.parent.relative_to(ROOT).as_posix() + "/"
        for p in files
        if p.name == "__init__.py" and p.parent != ROOT / "app_pages"
    ]
    return mods + pkgs


def _named(doc: str, rel: str) -> bool:
    """``explorer/models/fit.py`` is named as itself or in a ``{a,b}`` / ``(+ x.py)`` group."""
    if f"`{rel}`" in doc:
        return True
    folder, _, name = rel.rpartition("/")
    stem = name.removesuffix(".py")
    for group in re.findall(re.escape(folder) + r"/\{([^}]*)\}\.py", doc):
        if stem in group.split(","):
            return True
    return False


@pytest.mark.parametrize(
    "rel",
    sorted(p.relative_to(ROOT).as_posix() for p in MODS.values() if p.name != "__init__.py")
    + [
        p.removesuffix("/__init__.py") + "/"
        for p in (m.relative_to(ROOT).as_posix() for m in MODS.values())
        if p.endswith("/__init__.py") and p.count("/") > 1
    ]
    + _ui_modules(),
)
def test_architecture_md_names_every_module(rel):
    doc = _documented()
    if rel.endswith("/"):
        assert f"`{rel}`" in doc, f"ARCHITECTURE.md has no row for the package {rel}"
    else:
        assert _named(doc, rel), f"ARCHITECTURE.md has no row for {rel}: add one line for it"


def test_architecture_md_rows_are_short():
    rows = [r for r in _documented().splitlines() if r.startswith("| `")]
    long = [r.split("|")[1].strip() for r in rows if len(r.split("|")[2].split()) > 45]
    assert long == [], "module rows are one short line each"


def test_architecture_md_rows_name_existing_files():
    doc = _documented()
    named = re.findall(r"`((?:explorer|app_pages)/[\w/]+\.py)`", doc)
    missing = [n for n in named if not (ROOT / n).is_file()]
    assert missing == []
