"""The venv (requirements.txt) and conda (environment.yml) install the same exact pins."""

from __future__ import annotations

import re
import sys
import tomllib

import yaml

from analysis.inputs import paths

REQUIREMENT = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([\w.+!-]+)$")


def requirement_lines() -> list[str]:
    text = (paths.ROOT / "requirements.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_every_requirement_is_an_exact_pin():
    lines = requirement_lines()
    assert len(lines) > 20
    loose = [line for line in lines if not REQUIREMENT.match(line)]
    assert not loose, f"not pinned exactly: {loose}"


def test_direct_dependencies_are_pinned():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    direct = project["dependencies"] + project["optional-dependencies"]["dev"]
    pinned = {REQUIREMENT.match(line).group(1).lower().replace("_", "-") for line in requirement_lines()}
    missing = [name for name in direct if name.lower() not in pinned]
    assert not missing, f"direct dependencies without a pin in requirements.txt: {missing}"


def test_environment_yml_installs_the_same_pins():
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text(encoding="utf-8"))
    dependencies = env["dependencies"]
    assert "python=3.11" in dependencies
    pip_section = next(d["pip"] for d in dependencies if isinstance(d, dict) and "pip" in d)
    assert "-r requirements.txt" in pip_section, "environment.yml must delegate to requirements.txt"
    conda_packages = [d for d in dependencies if isinstance(d, str) and d not in ("pip", "python=3.11")]
    assert not conda_packages, f"pins belong in requirements.txt, not environment.yml: {conda_packages}"


def supported_pythons() -> list[str]:
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    return re.search(r"^SUPPORTED_PYTHONS := (.+)$", makefile, re.M).group(1).split()


def test_supported_pythons_agree_in_makefile_pyproject_and_readme():
    from packaging.specifiers import SpecifierSet

    supported = supported_pythons()
    requires = SpecifierSet(
        tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    )
    allowed = [f"3.{minor}" for minor in range(30) if f"3.{minor}.0" in requires]
    assert allowed == supported, f"pyproject requires-python {requires} allows {allowed}; the Makefile says {supported}"
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    run_it = readme[readme.index("## Run it") :].split("\n## ")[0]
    assert all(version in run_it for version in supported), "README 'Run it' must name every supported Python"


def test_this_python_is_a_supported_one():
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in supported_pythons()
