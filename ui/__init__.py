"""Streamlit glue shared by the pages: state keys, the page frame and sidebar, cached calls, figure builders."""
