import streamlit as st

st.title("explore")
st.write("This page is being built.")
