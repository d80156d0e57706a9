"""Ingest tweets: a tweet archive -> per-period counts, followers, stance and coverage.

Only counts, hashtag frequencies and follower statistics are derived and shown: never tweet
text, account names or descriptions. The sample's caveats stand next to every chart made from it.
"""

import streamlit as st

from app_pages import _ui as ui

st.title("Ingest tweets")
st.write(
    "Turn a tweet archive (CSV or Parquet, any size) into the series the explorer models: "
    "tweets, active accounts and followers per period, tweets per stance by hashtag, and how "
    "many accounts the collection actually observed in each period. The text is read once, "
    "inside the database, to find hashtags, and is never stored or shown."
)

from explorer import tweets  # noqa: E402 - after the intro, which needs no DuckDB

sample = tweets.fifthtribe_sample()
choices = (["Fifth Tribe sample (Kaggle, 2016)"] if sample else []) + ["Upload a file"]
mode = st.radio("Archive", choices, horizontal=True, key="in_mode")
source = None
box = st.container()
if mode == "Upload a file":
    up = st.file_uploader(
        "Tweets as CSV or Parquet", type=["csv", "parquet", "gz"], key="in_upload"
    )
    if up is not None:
        source = up.getvalue()
    fmt = st.selectbox(
        "Columns",
        ["generic", "fifthtribe"],
        key="in_format",
        help="generic: time, account, followers, text and/or hashtags",
    )
    mapping_text = st.text_input(
        "Column mapping (optional)",
        key="in_map",
        placeholder="time=created_at,account=user_id,followers=followers_count,text=text",
    )
else:
    # The bundled sample is the text-free derivative: hashtags instead of text.
    source, fmt, mapping_text = str(sample), "generic", ""
c1, c2 = st.columns(2)
freq = c1.selectbox(
    "Period",
    ["D", "W", "M"],
    index=1,
    key="in_freq",
    format_func={"D": "day", "W": "week", "M": "month"}.get,
)
lex_up = c2.file_uploader(
    "Stance lexicon (optional CSV; default: the bundled one)", type=["csv"], key="in_lexicon"
)

if st.button("Build the series", type="primary", key="in_go", disabled=source is None):
    with ui.guard(box, what="ingest"), st.status("Reading the archive...") as status:
        bar = st.progress(0.0)

        def progress(frac: float, msg: str) -> None:
            bar.progress(min(max(frac, 0.0), 1.0), text=msg)

        lexicon = None
        if lex_up is not None:
            from explorer.tweets.lexicon import load_lexicon

            lexicon = load_lexicon(lex_up.getvalue())
        st.session_state["in_result"] = tweets.ingest(
            source,
            format=fmt,
            mapping=tweets.parse_mapping(mapping_text) or None,
            lexicon=lexicon,
            freq=freq,
            progress=progress,
        )
        status.update(label="Series built", state="complete")


def ingest_source(result, sample, mode) -> str:
    """Where the series came from: the Fifth Tribe sample by name, else the input files."""
    meta = result.meta
    bundled = sample and mode != "Upload a file"
    from explorer.tweets.pipeline import FIFTHTRIBE_CAVEATS

    if bundled or tuple(meta.get("caveats") or ()) == FIFTHTRIBE_CAVEATS:
        return "Fifth Tribe (2016), How ISIS Uses Twitter, Kaggle (CC0)"
    names = [
        str(x.get("name") or x.get("path") or "") if isinstance(x, dict) else str(x)
        for x in meta.get("inputs", [])
    ]
    return ", ".join(n for n in names if n) or "uploaded archive"


result = st.session_state.get("in_result")
if result is not None:
    s = result.series
    caveats = result.meta.get("caveats", [])
    st.subheader("The series")
    src = ingest_source(result, sample, mode)
    period = {"D": "day", "W": "week", "M": "month"}.get(result.meta.get("freq"), "period")
    from explorer import charts

    chart = charts.lines_chart(
        s,
        x="date",
        ys={"n_tweets": "Tweets", "n_accounts_observed": "Accounts observed"},
        value_label=f"Count per {period}",
        kind="ingest",
        text=charts.ChartText(
            title=f"Tweets and accounts observed per {period}",
            subtitle="Counts only; periods no collected account spans are left empty",
            source=src,
            notes=tuple(caveats),
        ),
    )
    ui.show_chart(chart, key="in_chart")
    ui.source_caption(f"{src}. Tweets and accounts observed per period; counts only.")
    ui.export_kit(
        chart, key="in_chart_x", results=result.meta, provenance={"source": src, "caveats": caveats}
    )
    for c in caveats:
        st.warning(ui.md_escape(c), icon=":material/warning:")
    st.dataframe(s, hide_index=True, key="in_series")
    st.subheader("Top hashtags per period")
    top = result.hashtags.groupby("hashtag", as_index=False)["count"].sum()
    st.dataframe(
        top.sort_values("count", ascending=False).head(20), hide_index=True, key="in_hashtags"
    )
    st.caption("Hashtags only (normalised spelling); never tweet text.")
    c1, c2 = st.columns(2)
    from explorer.export.files import to_csv

    c1.download_button(
        "Series (CSV)",
        to_csv(s),  # formula-safe cells, as every exported CSV
        "tweet_series.csv",
        "text/csv",
        key="in_dl_csv",
        on_click="ignore",
    )
    c2.download_button(
        "Notes (JSON)",
        result.sidecar().encode(),
        "tweet_series.json",
        "application/json",
        key="in_dl_json",
        on_click="ignore",
    )
    if st.button("Send to Explore & model", key="in_send"):
        with ui.guard(what="sending the series"):
            k, tbl = ui.load_upload(s.to_csv(index=False).encode(), "tweet_series.csv")
            # The series keeps its sample's source and caveats (not "uploaded file (sha256 ...)").
            ui.PROVENANCE[k] = {
                "title": f"Tweet series from Ingest ({src})",
                "source": src,
                "caveats": list(caveats),
            }
            from app_pages._ui import state as app_state

            app_state.update(
                dataset=None,
                upload_sha=k,
                upload_name="tweet_series.csv",
                upload_rows=len(tbl.frame),
                time=None,
                value=None,
                group=None,
                treated=None,
                control=None,
                offset=None,
                covariates=(),
            )
            st.switch_page("app_pages/explore.py")
