# Bigram Lab as a container, following Streamlit's documented Docker setup
# (https://docs.streamlit.io/deploy/tutorials/docker).
#
#   docker build -t bigram-lab .
#   docker run -p 8501:8501 bigram-lab        # then open http://localhost:8501
#
# Settings (upload limit, theme, the hidden automatic menu) come from .streamlit/config.toml,
# which is copied with the app.
FROM python:3.11-slim

WORKDIR /app

# curl is for the HEALTHCHECK below; every Python package comes as a wheel, so no compiler is needed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*

# torch is pinned to 2.13.0 in requirements.txt. From the default index (PyPI) that version is the
# Linux build with CUDA: several GB of GPU libraries this app never uses. The extra index below is
# PyTorch's CPU-only wheel index; pip then picks 2.13.0+cpu, a few hundred MB.
COPY requirements.txt .
RUN pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.txt

COPY . .

EXPOSE 8501

# The script check runs app.py once (.streamlit/config.toml): the first probe also warms the server for its first
# visitor; every probe after that checks that the app itself still runs, not only the web server.
HEALTHCHECK --start-period=60s --start-interval=2s CMD curl --fail http://localhost:8501/_stcore/script-health-check

ENTRYPOINT ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]
