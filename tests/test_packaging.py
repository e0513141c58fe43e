"""How the app installs: requirements.txt stays a plain pip file, and uv (Community Cloud's installer) takes torch's
CPU build from pyproject.toml's [tool.uv.pip] (README, "Deploying")."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_requirements_name_no_index_so_pip_here_never_asks_an_unreachable_one():
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    requirements = [line for line in lines if line and not line.startswith("#")]
    assert "torch==2.13.0" in requirements  # the local CPU build here; the CPU index's 2.13.0+cpu under uv
    assert not [line for line in requirements if line.startswith("-")]  # no --extra-index-url, --find-links, -i


def test_uv_is_told_to_take_torch_from_the_cpu_index():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["tool"]["uv"]["pip"]["torch-backend"] == "cpu"
    assert "project" not in config  # tool settings only: Community Cloud reads requirements.txt, not a project
