"""Neighbouring dates fitted ahead in one background thread, only while no other session's
script runs.
"""

from __future__ import annotations

import concurrent.futures
import threading

from app_pages._ui import cache
from app_pages._ui.cache import chart_text
from app_pages._ui.tables import dataset_caveats, dataset_title, source_line
from app_pages._ui.uploads import get_table


def prefetch_neighbours(source: str, key: str, spec, label: str, periods, freq: str) -> None:
    """Fit and draw the periods either side of ``label``'s date in a background thread.

    Dragging a date moves one period at a time: the next step then finds its fit and chart
    ready. Pure core calls (no Streamlit in the thread), kept in a small bounded dict.
    """
    from explorer.periods import to_period_start

    iv = next((i for i in spec.interventions if i.label == label), None)
    if iv is None:
        return
    options = [d.strftime("%Y-%m-%d") for d in periods]
    current = to_period_start([iv.timestamp], freq)[0].strftime("%Y-%m-%d")
    if current not in options:
        return
    i = options.index(current)
    todo = []
    for j in (i - 1, i + 1):
        if 0 <= j < len(options):
            other = spec.with_date(label, options[j])
            if (source, key, other) not in cache.PREFETCHED:
                todo.append(other)
    if todo:
        words = (
            dataset_title(source, key),
            source_line(source, key),
            dataset_caveats(source, key),
            cache.event_names(),
        )
        _PREFETCH_POOL.submit(
            _prefetch,
            source,
            key,
            todo,
            get_table(source, key),
            words,
            threading.current_thread(),
        )


def _server_busy(owner) -> bool:
    """True while another session's script runs (not ``owner``'s): prefetch only when idle."""
    return any(
        t is not owner and t.name == "ScriptRunner.scriptThread" and t.is_alive()
        for t in threading.enumerate()
    )


def _prefetch(source, key, specs, tbl, words, owner=None) -> None:
    """Fit and chart each spec of ``specs`` into ``cache.PREFETCHED``; ``words`` is (title,
    source line, the data's caveats, the interventions' names)."""
    from explorer import charts
    from explorer.io.series import series_from_spec
    from explorer.models.fit import fit_its

    for sp in specs:
        if _server_busy(owner):
            return  # under load the CPU belongs to the readers waiting for their pages
        try:
            result = fit_its(series_from_spec(tbl, sp), sp)
            chart = charts.its_chart(
                result, text=chart_text(*words[:2], sp, result, words[2]), names=words[3]
            )
        except Exception:  # noqa: BLE001 - a neighbour that cannot be fitted is simply not ready
            continue
        cache.PREFETCHED[(source, key, sp)] = (result, chart)
        while len(cache.PREFETCHED) > 16:
            cache.PREFETCHED.pop(next(iter(cache.PREFETCHED)))


_PREFETCH_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch")
