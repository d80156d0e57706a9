"""The export kit under every chart: a lazy popover whose files are built on click."""

from __future__ import annotations

import hashlib

import streamlit as st

from app_pages._ui.guard import md_escape, ui_guard_quiet

WORDS = ("title", "subtitle", "source", "byline", "notes")


def export_kit(chart, *, key: str, results=None, where=None, provenance=None) -> None:
    """The export kit of one chart (an ``explorer.charts.base.Chart``).

    PNG / SVG at a chosen preset size with the title, subtitle, source, byline and notes drawn
    on the image (each editable here, the chart's own words by default), standalone HTML
    (offline, plotly.js inside) and a small one that loads plotly.js from its CDN with an
    ``<iframe>`` snippet to embed it, the data behind the chart as CSV; for a fit also the
    results as JSON (with ``provenance``: the data's source and caveats), a methods paragraph
    and alt text to paste, and a reproducibility bundle (zip).

    Nothing inside the popover is built until it is opened (``on_change="rerun"``): a moved
    date redraws one button, not the kit, and files are made only when their button is
    clicked (``data=`` takes a callable), so drawing the page never waits for kaleido.
    Chromium missing makes the image buttons say so, nothing else.
    """
    from app_pages._ui import downloads as ex
    from explorer.export.files import PRESETS

    box = where if where is not None else st
    title = chart.text.title or chart.kind
    slug = ex.slug(title)
    pop = box.popover("Export", icon=":material/download:", key=f"{key}_open", on_change="rerun")
    if not pop.open:
        return
    with pop:
        # The size outlives the closed popover (its widget's state does not).
        last = st.session_state.get(f"{key}_size", list(PRESETS)[1])
        preset = st.selectbox(
            "Image size",
            list(PRESETS),
            index=list(PRESETS).index(last) if last in PRESETS else 1,
            key=f"{key}_preset",
            format_func=lambda p: PRESETS[p].label,
        )
        st.session_state[f"{key}_size"] = preset
        w, h = PRESETS[preset].width, PRESETS[preset].height
        chart = edited_chart(chart, key=key)
        title = chart.text.title or chart.kind
        slug = ex.slug(title)
        c1, c2, c3 = st.columns(3)
        c1.download_button(
            "PNG",
            ex.deferred(ex.image, chart, "png", w, h),
            f"{slug}-{w}x{h}.png",
            "image/png",
            key=f"{key}_png",
            on_click="ignore",
        )
        c2.download_button(
            "SVG",
            ex.deferred(ex.image, chart, "svg", w, h),
            f"{slug}-{w}x{h}.svg",
            "image/svg+xml",
            key=f"{key}_svg",
            on_click="ignore",
        )
        c3.download_button(
            "HTML",
            ex.deferred(ex.html, chart, w, h),
            f"{slug}.html",
            "text/html",
            key=f"{key}_html",
            on_click="ignore",
            help="Offline: plotly.js inside the file (about 5 MB)",
        )
        c1.download_button(
            "CSV",
            ex.deferred(ex.csv, chart),
            f"{slug}.csv",
            "text/csv",
            key=f"{key}_csv",
            on_click="ignore",
        )
        c2.download_button(
            "HTML (small)",
            ex.deferred(ex.html, chart, w, h, plotlyjs="cdn"),
            f"{slug}-cdn.html",
            "text/html",
            key=f"{key}_html_cdn",
            on_click="ignore",
            help="A few kB: loads plotly.js from its CDN. Host it and embed it with the code below.",
        )
        if results is not None:
            c3.download_button(
                "JSON",
                ex.deferred(ex.json_bytes, results, provenance),
                f"{slug}.json",
                "application/json",
                key=f"{key}_json",
                on_click="ignore",
            )
        if ex.is_fit(results):
            c1.download_button(
                "Bundle",
                ex.deferred(ex.bundle, results, chart),
                f"{slug}-reproduce.zip",
                "application/zip",
                key=f"{key}_zip",
                on_click="ignore",
                help="Data, spec, versions and a plain statsmodels script",
            )
            with ui_guard_quiet():
                st.text_area(
                    "Methods paragraph", ex.methods(results), key=f"{key}_methods", height=120
                )
                # Keyed on the title: an edited title gives alt text that says it.
                tag = hashlib.sha1(title.encode()).hexdigest()[:8]
                st.text_area("Alt text", ex.alt(results, title), key=f"{key}_alt_{tag}", height=90)
        from explorer.export.files import embed_snippet

        st.caption("Embed the small HTML file: host it, then paste (with its address):")
        st.code(
            embed_snippet(
                f"https://example.org/charts/{slug}-cdn.html", width=w, height=h, title=title
            ),
            language="html",
            wrap_lines=True,
        )
        st.caption("Images and HTML carry the title, subtitle, source line, byline and notes.")
        from explorer.export.files import static_export_available

        missing = static_export_available()  # no browser: say so before anyone clicks PNG
        if missing:
            st.caption(md_escape(missing))


def edited_chart(chart, *, key: str):
    """The chart with the words typed in the kit (title, subtitle, source, byline, notes).

    The edits outlive the closed popover (kept in ``st.session_state`` with the defaults they
    were made on: a chart with other default words starts from those again).
    """
    t = chart.text
    defaults = {
        "title": t.title or "",
        "subtitle": t.subtitle or "",
        "source": t.source or "",
        "byline": t.byline or "",
        "notes": "\n".join(t.notes),
    }
    saved = st.session_state.get(f"{key}_words")
    values = dict(saved["values"]) if saved and saved.get("defaults") == defaults else defaults
    with st.expander("Words on the image", icon=":material/edit:"):
        for name in WORDS:
            label = name.capitalize() + (" (one per line)" if name == "notes" else "")
            widget = st.text_area if name == "notes" else st.text_input
            kw = {"height": 120} if name == "notes" else {}
            values[name] = widget(label, values[name], key=f"{key}_w_{name}", **kw)
    st.session_state[f"{key}_words"] = {"defaults": defaults, "values": values}
    if values == defaults:
        return chart
    return chart.with_text(t.edited(**values))
