"""Work done ahead in one background thread, only while no other session's script runs:
neighbouring dates fitted and drawn, and the Robustness page's results for the analysis Explore
just fitted (the page a reader opens next finds them ready).
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


def _after(owner, timeout: float = 30.0) -> None:
    """Wait for the script run that asked for the work to finish: its own page comes first."""
    if owner is not None and owner is not threading.current_thread():
        owner.join(timeout)


def _prefetch(source, key, specs, tbl, words, owner=None) -> None:
    """Fit and chart each spec of ``specs`` into ``cache.PREFETCHED``; ``words`` is (title,
    source line, the data's caveats, the interventions' names)."""
    from explorer import charts
    from explorer.io.series import series_from_spec
    from explorer.models.fit import fit_its

    _after(owner)
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


def prefetch_robustness(source: str, key: str, spec, label: str) -> None:
    """Compute the Robustness page's results for ``spec`` (moving ``label``) in the background:
    the date sweep, the data's own breaks, the placebo dates, the power simulation and the
    residual diagnostics, each as the page's cached call computes it (``cache.AHEAD``)."""
    if ("residuals", source, key, spec, None) in cache.AHEAD or _crowded():
        return
    _PREFETCH_POOL.submit(
        _robust_ahead, source, key, spec, label, get_table(source, key), threading.current_thread()
    )


AHEAD_MAX_SESSIONS = 3  # beyond this many readers connected, no Robustness guesses


def _crowded() -> bool:
    """True when more than a few sessions are connected: the crowd that follows a story's
    link mostly reads and leaves, and half a second of CPU per date they try would be taken
    from the readers waiting for their pages (bench_load). A lone analyst gets it."""
    try:
        from streamlit.runtime import Runtime

        if not Runtime.exists():
            return False
        return Runtime.instance()._session_mgr.num_active_sessions() > AHEAD_MAX_SESSIONS
    except Exception:  # noqa: BLE001 - an unknown runtime: do the work, as before
        return False


def _robust_ahead(source, key, spec, label, tbl, owner=None) -> None:
    from explorer.io.series import series_from_spec
    from explorer.models.fit import fit_its
    from explorer.robustness.breaks import find_breaks
    from explorer.robustness.placebo import placebo_in_time
    from explorer.robustness.power import power_analysis
    from explorer.robustness.residuals import diagnose
    from explorer.robustness.sweep import sweep_dates

    _after(owner)
    try:
        s = series_from_spec(tbl, spec)
    except Exception:  # noqa: BLE001 - the page will say what is wrong with it
        return
    steps = (
        ("sweep", label, lambda: sweep_dates(s, spec, label=label)),
        ("breaks", 3, lambda: find_breaks(s, max_breaks=3, use_log=spec.scale == "log")),
        ("placebos", label, lambda: placebo_in_time(s, spec, label=label)),
        (
            "power",
            label,
            lambda: power_analysis(s, cache.power_spec(spec), label=label, n_draws=500),
        ),
        ("residuals", None, lambda: diagnose(s, spec, result=fit_its(s, spec))),
    )
    for name, arg, compute in steps:
        if _server_busy(owner):
            return  # under load the CPU belongs to the readers waiting for their pages
        k = (name, source, key, spec, arg)
        if k in cache.AHEAD:
            continue
        try:
            cache.AHEAD[k] = compute()
        except Exception:  # noqa: BLE001 - the page computes it again and shows its message
            continue
        while len(cache.AHEAD) > 40:
            cache.AHEAD.pop(next(iter(cache.AHEAD)))


_PREFETCH_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch")
