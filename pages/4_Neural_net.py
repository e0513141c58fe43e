from ui import sidebar

source = sidebar.page("Neural net")
