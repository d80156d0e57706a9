import streamlit as st

st.title("methods")
st.write("This page is being built.")
