from ui import sidebar

source = sidebar.page("Smoothing")
