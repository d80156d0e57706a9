import streamlit as st

st.title("robustness")
st.write("This page is being built.")
