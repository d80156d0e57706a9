"""Check a claim's answer and evidence: the quotable sentence, the two statuses, the public record.

Thin UI over ``explorer.answer`` and ``explorer.catalog.record``: every word comes from the core and is
escaped here (``_ui.md_escape``) before Streamlit renders it as Markdown, so no data-supplied text
can become a link, an image or HTML. The copy button is ``st.code``'s own copy icon: plain text,
no extra component.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import streamlit as st

from app_pages import _ui as ui

CHECKABLE_HELP = (
    "Can the quantity itself be recomputed from public data? yes / partly / no. Separate from "
    "'Reported as stated', which is only about the quotation."
)


@st.cache_resource(max_entries=64, show_spinner=False)
def headline(claim_id: str):
    from explorer.answer import headline as make

    return make(claim_id)


@st.cache_resource(max_entries=1, show_spinner=False)
def _record() -> dict:
    from explorer.catalog import record

    return record.record()


@st.cache_resource(max_entries=8, show_spinner=False)
def _record_chart(group_id: str):
    from explorer.charts.record import record_chart

    return record_chart(group_id)


def answer_box(claim_id: str) -> None:
    """The answer at the top of the page: sentence, three reasons with sources, copy button."""
    with ui.guard(what="the answer"):
        a = headline(claim_id)
        with st.container(border=True, key="answer_box"):
            st.subheader("The answer", anchor=False)
            st.markdown(f"**{ui.md_escape(a.sentence)}**")
            lines = [
                f"{n}. {ui.md_escape(r.text)} *(sources: {ui.md_escape(', '.join(r.claim_ids))})*"
                for n, r in enumerate(a.reasons, 1)
            ]
            st.markdown("\n".join(lines))
            st.caption("Copy the sentence with its citation (copy icon, top right):")
            st.code(a.quote, language=None, wrap_lines=True)


def status_labels(claim_id: str, where=None) -> None:
    """'Reported as stated' and 'Checkable with public data': two labels, each with its tooltip."""
    from explorer.catalog.record import statuses

    box = where if where is not None else st
    s = statuses(claim_id)
    rep, chk = s["reported_as_stated"], s["checkable"]
    box.markdown(
        f"**Reported as stated:** {ui.md_escape(rep['status'])}",
        help=ui.md_escape(rep["tooltip"]),
    )
    box.markdown(
        f"**Checkable with public data:** {ui.md_escape(chk['status'])}",
        help=ui.md_escape(f"{chk['tooltip']} {CHECKABLE_HELP}"),
    )


def _safe_url(url: str) -> str | None:
    """An http(s) URL with the characters that could end a Markdown link percent-encoded."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=":/?&=#%~+,;@!$'*-._")


def source_links(claim) -> str:
    """Markdown links named by publisher and title (the first), then 'copy at host' (others)."""
    urls = [u for u in re.split(r"\s*;\s*", str(claim.get("source_url_or_citation") or "")) if u]
    pub = str(claim.get("source_publisher") or "").split(" (")[0]
    title = str(claim.get("source_title") or "")
    name = f'{pub}, "{title}"' if pub and title else pub or title or "source"
    parts = []
    for i, u in enumerate(urls):
        safe = _safe_url(u)
        if safe is None:
            parts.append(ui.md_escape(u))
            continue
        host = urlsplit(u.strip()).netloc.removeprefix("www.")
        text = name if i == 0 else f"copy at {host}"
        parts.append(f"[{ui.md_escape(text)}]({safe})")
    return " · ".join(parts)


def _value_help(claim) -> str:
    """The '?' beside the figure: what the number is, and what it is not."""
    unit = str(claim.get("unit") or "")
    q = str(claim.get("quantity") or "")
    return (
        f"The figure as published: {q} ({unit}). It is the source's number, quoted; whether it "
        "was found as stated and whether public data can check it are the two labels below."
    )


def record_section(claim_id: str) -> None:
    """The public record: each group drawn, what it shows and cannot show, its sources."""
    with ui.guard(what="the public record"):
        rec = _record()
        for g in rec["groups"]:
            st.subheader(ui.md_escape(g["title"]), anchor=False)
            chart = _record_chart(g["id"])
            ui.show_chart(chart, key=f"record_{g['id']}", title=False)
            st.markdown(f"**What it shows.** {ui.md_escape(g['shows'])}")
            st.markdown(f"**What it cannot show.** {ui.md_escape(g['cannot_show'])}")
            # A list, not a grid: the landing page loads no interactive table code.
            n = len(g["points"])
            with st.expander(f"Sources and statuses ({n} figure{'' if n == 1 else 's'})"):
                st.markdown("\n".join(_point_line(p) for p in g["points"]))
            ui.source_caption(chart.text.source or "published figures")
            ui.export_kit(chart, key=f"record_{g['id']}_x")


def _point_line(p: dict) -> str:
    how = f"{p['formula']}: {p['calculation']}" if p.get("formula") else "as published"
    text = (
        f"{p['point_id']}: {_point_value(p)}, {p['period_words']} ({how}). {p['source']}. "
        f"Reported as stated: {p['reported_as_stated']}; checkable with public data: "
        f"{p['checkable']}."
    )
    return f"- {ui.md_escape(text)}"


def _point_value(p: dict) -> str:
    bound = {"lower": "at least ", "upper": "at most "}.get(p.get("bound") or "", "")
    return f"{bound}{p['value_text']} {p['unit']}"


def measurement_box() -> None:
    """What the measurement itself does, and the data that would settle the question."""
    with ui.guard(what="the measurement notes"):
        rec = _record()
        st.subheader("What the measurement does", anchor=False)
        st.markdown(
            "\n".join(
                f"- {ui.md_escape(m['text'])} *({ui.md_escape(', '.join(m['claim_ids']))})*"
                for m in rec["measurement"]
            )
        )
        with st.container(border=True, key="settle_box"):
            st.markdown("**What would settle it.** Data to ask for:")
            st.markdown(
                "\n".join(
                    f"- {ui.md_escape(m['text'])} *({ui.md_escape(', '.join(m['claim_ids']))})*"
                    for m in rec["what_would_settle_it"]
                )
            )
