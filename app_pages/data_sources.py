import streamlit as st

st.title("data_sources")
st.write("This page is being built.")
