import streamlit as st

st.title("ingest")
st.write("This page is being built.")
