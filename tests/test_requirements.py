"""requirements.txt (what a Hugging Face Space installs) must list exactly pyproject.toml's base dependencies."""

from __future__ import annotations

import tomllib

from conftest import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version


def _normalised(lines: list[str]) -> dict[str, str]:
    """name -> "specifiers; markers", comparable whatever the spelling or the order. torch's lines
    for requirements.txt (the CPU build on Linux, the same version elsewhere) read as one pin."""
    found = {}
    for line in lines:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        if name == "torch" and requirement.marker is not None:
            (pin,) = requirement.specifier
            found[name] = f"=={Version(pin.version).public}; "
            continue
        found[name] = f"{requirement.specifier}; {requirement.marker or ''}"
    return found


def _requirement_lines(text: str) -> list[str]:
    lines = (line.split(" #")[0].strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith(("#", "-"))]


def test_requirements_agree_with_pyproject() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    declared = _normalised(pyproject["project"]["dependencies"])
    listed = _normalised(_requirement_lines((REPO / "requirements.txt").read_text(encoding="utf-8")))
    assert sorted(set(declared) - set(listed)) == [], "in pyproject.toml but not in requirements.txt"
    assert sorted(set(listed) - set(declared)) == [], "in requirements.txt but not in pyproject.toml"
    differing = {name: (declared[name], listed[name]) for name in declared if declared[name] != listed[name]}
    assert differing == {}, "versions differ between pyproject.toml and requirements.txt"


def test_requirements_reader_sees_every_kind_of_line() -> None:
    text = "# comment\n--extra-index-url https://example.org/simple\n\ntorch==2.13.0  # pinned\nGradio >=6.0,<7\n"
    assert _normalised(_requirement_lines(text)) == {"torch": "==2.13.0; ", "gradio": "<7,>=6.0; "}


CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def test_the_readme_installs_the_cpu_torch_and_uv_does_too() -> None:
    """PyPI's Linux torch is the CUDA build: the README's command must name the CPU index (through
    requirements.txt), and uv's sources must send torch there on Linux."""
    requirements = (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert f"--extra-index-url {CPU_INDEX}" in requirements
    pins = [Requirement(line) for line in _requirement_lines("\n".join(requirements))]
    torch = {str(r.marker): str(r.specifier) for r in pins if r.name == "torch"}
    assert torch == {'sys_platform == "linux"': "==2.13.0+cpu", 'sys_platform != "linux"': "==2.13.0"}
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first = next(line for line in readme.splitlines() if line.startswith("python -m pip install"))
    assert first.startswith("python -m pip install -r requirements.txt -e .")
    uv = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["uv"]
    (index,) = uv["index"]
    assert index["url"] == CPU_INDEX and index["explicit"] is True
    assert uv["sources"]["torch"] == [{"index": index["name"], "marker": "sys_platform == 'linux'"}]
