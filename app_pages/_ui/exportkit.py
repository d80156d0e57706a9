"""The export kit under every chart: a lazy popover whose files are built on click."""

from __future__ import annotations

import streamlit as st

from app_pages._ui.guard import md_escape, ui_guard_quiet


def export_kit(chart, *, key: str, results=None, where=None) -> None:
    """The export kit of one chart (an ``explorer.charts.base.Chart``).

    PNG / SVG at a chosen preset size with the title, source and notes drawn on the image,
    standalone HTML, the data behind the chart as CSV; for a fit also the results as JSON,
    a methods paragraph and alt text to paste, and a reproducibility bundle (zip).

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
        )
        c1.download_button(
            "CSV",
            ex.deferred(ex.csv, chart),
            f"{slug}.csv",
            "text/csv",
            key=f"{key}_csv",
            on_click="ignore",
        )
        if results is not None:
            c2.download_button(
                "JSON",
                ex.deferred(ex.json_bytes, results),
                f"{slug}.json",
                "application/json",
                key=f"{key}_json",
                on_click="ignore",
            )
        if ex.is_fit(results):
            c3.download_button(
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
                st.text_area("Alt text", ex.alt(results, title), key=f"{key}_alt", height=90)
        st.caption("Images carry the title, subtitle, source line and notes.")
        from explorer.export.files import static_export_available

        missing = static_export_available()  # no browser: say so before anyone clicks PNG
        if missing:
            st.caption(md_escape(missing))
