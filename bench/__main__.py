"""Run every benchmark module and print one line per measurement; exit 1 if any target is missed."""

from __future__ import annotations

import importlib
import json
import pathlib
import sys
import time


def main(argv: list[str]) -> int:
    here = pathlib.Path(__file__).parent
    only = argv[0] if argv else ""
    mods = sorted(p.stem for p in here.glob("bench_*.py") if only in p.stem)
    results, failed = [], 0
    for m in mods:
        t0 = time.perf_counter()
        rows = importlib.import_module(f"bench.{m}").run()
        for r in rows:
            r.setdefault("module", m)
            flag = "ok  " if r.get("ok") else "MISS"
            failed += not r.get("ok")
            print(
                f"{flag} {r['name']}: {r['value']:.4g} {r.get('unit', '')} (target {r['target']})"
            )
            results.append(r)
        print(f"     [{m} took {time.perf_counter() - t0:.1f} s]")
    out = here / "out"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print(f"{len(results) - failed} met, {failed} missed (details in bench/out/results.json)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
