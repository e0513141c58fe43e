from ui import sidebar

source = sidebar.page("Sample")
