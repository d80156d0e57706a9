"""Loader speed: a 200,000-row long CSV (100 daily series), against a bare pandas read.

The loader does much more than ``pd.read_csv`` (sniffing, number and date inference with
evidence, frequency, long-data detection), so the target is a ratio, not parity: within 10x of
``read_csv`` + ``to_datetime`` on the same bytes, measured in the same run.
"""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd


def _csv(decimal_comma: bool) -> bytes:
    d = pd.date_range("2000-01-01", periods=2000)
    rng = np.random.default_rng(1)
    df = pd.DataFrame(
        {
            "date": np.tile(d, 100),
            "unit": np.repeat([f"unit{i}" for i in range(100)], 2000),
            "value": rng.normal(50, 10, 200_000).round(3),
        }
    )
    if decimal_comma:
        return df.to_csv(index=False, sep=";", decimal=",", date_format="%d/%m/%Y").encode()
    return df.to_csv(index=False, date_format="%Y-%m-%d").encode()


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def run() -> list[dict]:
    from explorer.io.loader import load_table

    out = []
    for label, comma in (("iso, decimal point", False), ("dd/mm/yyyy, ';', decimal comma", True)):
        raw = _csv(comma)

        def baseline(raw=raw, comma=comma):
            df = pd.read_csv(
                io.BytesIO(raw), sep=";" if comma else ",", decimal="," if comma else "."
            )
            pd.to_datetime(df["date"], dayfirst=comma, format="%d/%m/%Y" if comma else "%Y-%m-%d")

        base = _best(baseline)
        ours = _best(lambda raw=raw: load_table(raw, filename="bench.csv"), repeat=2)
        ratio = ours / base
        out.append(
            {
                "name": f"load_table 200k rows ({label}) / pandas read_csv",
                "value": round(ratio, 2),
                "unit": "x",
                "target": "<= 10x",
                "ok": ratio <= 10,
            }
        )
        out.append(
            {
                "name": f"load_table 200k rows ({label})",
                "value": round(ours, 2),
                "unit": "s",
                "target": "reported",
                "ok": True,
            }
        )
    return out
