"""Data & sources: the catalogue with descriptions, licences, sources, checksums, caveats, downloads."""

import pandas as pd
import streamlit as st

from app_pages import _ui as ui
from explorer import catalog

st.title("Data & sources")
st.write(
    "Every bundled dataset, where it comes from, under which licence, and what it cannot tell "
    "you. Each file's checksum is verified when it loads; derived files are rebuilt from "
    "committed scripts with `make data`."
)

infos = catalog.list_resources()
st.dataframe(
    pd.DataFrame(
        [
            {
                "dataset": i.key,
                "title": i.title,
                "rows": i.rows,
                "period": " to ".join(i.period) if i.period else "",
                "frequency": i.frequency or "",
                "licence": i.licence,
                "sha256": i.sha256[:16] + "…",
            }
            for i in infos
        ]
    ),
    hide_index=True,
    key="ds_catalogue",
)

for info in infos:
    with st.expander(ui.plain(f"{info.key}: {info.title}"), expanded=info.key == "scenarios"):
        st.write(ui.plain(info.description))
        st.markdown(f"**Licence:** {ui.md_escape(info.licence)}")
        for src in info.sources:
            if isinstance(src, dict):
                line = src.get("citation") or src.get("title") or ""
                st.markdown(f"- {ui.md_escape(line)}")
                path = str(src.get("path") or "")
                if path.startswith("http"):
                    st.markdown(f"  [{ui.md_escape(path)}]({path})")
        for caveat in info.caveats:
            st.warning(ui.plain(caveat), icon=":material/warning:")
        with ui.guard(what=f"checksum of {info.key}"):
            problem = catalog.verify(info)
            if problem:
                st.warning(ui.plain(problem), icon=":material/gpp_maybe:")
            else:
                st.caption(f"sha256 {info.sha256} (verified)")
        fields = pd.DataFrame(list(info.fields))
        if not fields.empty:
            st.dataframe(fields, hide_index=True, key=f"ds_fields_{info.key}")
        st.download_button(
            f"Download {info.path.name}",
            data=info.path.read_bytes,
            file_name=info.path.name,
            mime="text/csv",
            key=f"ds_dl_{info.key}",
            on_click="ignore",
        )
