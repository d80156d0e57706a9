"""Page building blocks: the loader's report, labels, the verdict block."""

from __future__ import annotations

import streamlit as st

from app_pages._ui.cache import breaks, placebos, power, series, sweep
from app_pages._ui.guard import guard, md_escape


def verdict_block(source: str, key: str, spec, label: str | None = None) -> None:
    """The robustness verdict for ``label`` (default: the last intervention), one sentence per
    question (own-claim section)."""
    if not spec.interventions:
        return
    st.subheader("Verdict")
    with guard(what="verdict"):
        if label not in [iv.label for iv in spec.interventions]:
            label = spec.interventions[-1].label
        lines = verdict_lines(
            source,
            key,
            spec,
            label,
            sweep=sweep(source, key, spec, label),
            breaks=breaks(source, key, spec),
            placebos=placebos(source, key, spec, label),
            power=power(source, key, spec, label),
        )
        for line in lines:
            st.markdown(f"- {md_escape(line)}")


def verdict_lines(
    source, key, spec, label, *, sweep=None, breaks=None, placebos=None, power=None, specs=None
) -> list[str]:
    """One plain sentence per robustness question (``explorer.robustness.verdict``)."""
    from explorer.robustness.verdict import build_verdict

    iv = next(i for i in spec.interventions if i.label == label)
    v = build_verdict(
        label=label,
        claimed_date=iv.timestamp,
        freq=series(source, key, spec).freq,
        sweep=sweep,
        breaks=breaks,
        placebo=placebos,
        specs=specs,
        power=power,
        units=f"(in {spec.value})" if spec.scale != "log" else None,
    )
    return [f"{a.question} {a.sentence}" for a in v.answers]


def overall_label(source, key, spec, label, **results) -> tuple[str, str]:
    """The verdict's overall label and sentence (``Verdict.overall``)."""
    from explorer.robustness.verdict import build_verdict

    iv = next(i for i in spec.interventions if i.label == label)
    return build_verdict(
        label=label,
        claimed_date=iv.timestamp,
        freq=series(source, key, spec).freq,
        **results,
    ).overall


# -- the loader's report and labels -----------------------------------------------------------
def loader_report(tbl) -> None:
    """What the loader inferred (encoding, delimiter, dates, frequency) and any gaps."""
    rep = tbl.report
    d = rep.to_dict() if hasattr(rep, "to_dict") else {}
    for note in getattr(rep, "notes", []) or []:
        if note.startswith("CHECKSUM MISMATCH"):  # never only inside a collapsed panel
            st.warning(md_escape(note), icon=":material/gpp_maybe:")
    gaps = list(getattr(rep, "gaps", []) or [])
    label = "What the loader inferred" + (f" · {len(gaps)} missing periods" if gaps else "")
    with st.expander(label, expanded=bool(gaps)):
        for note in getattr(rep, "notes", []) or []:
            st.markdown(f"- {md_escape(note)}")
        if gaps:
            st.warning(
                f"{len(gaps)} periods are missing and stay missing (never filled): "
                + ", ".join(str(g)[:10] for g in gaps[:12])
                + (" ..." if len(gaps) > 12 else "")
            )
        rest = {k: v for k, v in d.items() if k not in ("notes", "gaps")}
        if rest:
            st.json(rest, expanded=False)
        st.caption(f"sha256 {tbl.sha256[:16]}…, {len(tbl.frame)} rows, frequency {tbl.freq}")


def effect_text(e, scale: str) -> str:
    """'-12.0% (95% CI -20.1% to -3.2%)' on the log scale, else the estimate in units."""
    if e is None:
        return "n/a"
    if scale == "log" and e.ratio is not None:
        pct = lambda r: f"{100 * (r - 1):+.1f}%"  # noqa: E731
        return f"{pct(e.ratio)} ({pct(e.ratio_ci_low)} to {pct(e.ratio_ci_high)})"
    return f"{e.estimate:+.3g} ({e.ci_low:+.3g} to {e.ci_high:+.3g})"
