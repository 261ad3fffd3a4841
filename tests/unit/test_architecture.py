"""Unit tests: the layering rule. import-linter checks the contracts in setup.cfg.

The first test runs the real check on the forum package. The second proves the same contract does break:
it is copied onto a throwaway package in a temporary folder whose pure core imports Flask and app models.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

from forum import ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONTRACT_SECTION = "importlinter:contract:pure-core"


def _real_contract() -> configparser.SectionProxy:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg", encoding="utf-8")
    return parser[CONTRACT_SECTION]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _lint_imports(*args: str, cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([str(LINT_IMPORTS), "--no-logo", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_architecture_pure_core_contract_kept():
    result = _lint_imports(cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{_real_contract()['name']} KEPT" in result.stdout
    assert "0 broken" in result.stdout


def test_architecture_contract_breaks_when_core_imports_flask_and_models(tmp_path: Path):
    contract = _real_contract()
    assert contract["type"] == "forbidden"
    sources = [m.replace("forum", "pkgx", 1) for m in _lines(contract["source_modules"])]
    forbidden = [m.replace("forum", "pkgx", 1) for m in _lines(contract["forbidden_modules"])]
    assert "flask" in forbidden and "pkgx.models" in forbidden

    # A package shaped like forum: every internal module the contract names exists.
    for module in ["pkgx", *sources, *(m for m in forbidden if m.startswith("pkgx."))]:
        package = tmp_path.joinpath(*module.split("."))
        package.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").write_text("")
    core = tmp_path / "pkgx" / sources[0].split(".")[1]
    (core / "recommend.py").write_text("import flask\n")
    (core / "types.py").write_text("from pkgx.models import thing  # noqa: F401\n")
    (tmp_path / "pkgx" / "models" / "thing.py").write_text("")

    config = tmp_path / "contracts.ini"
    config.write_text(
        "[importlinter]\nroot_package = pkgx\ninclude_external_packages = True\n\n"
        f"[{CONTRACT_SECTION}]\nname = copied pure-core contract\ntype = forbidden\n"
        "source_modules =\n" + "".join(f"    {m}\n" for m in sources)
        + "forbidden_modules =\n" + "".join(f"    {m}\n" for m in forbidden)
    )
    result = _lint_imports("--no-cache", str(config), cwd=tmp_path, pythonpath=tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "copied pure-core contract BROKEN" in result.stdout
    assert f"{sources[0]}.recommend -> flask (l.1)" in result.stdout
    assert f"{sources[0]}.types -> pkgx.models.thing (l.1)" in result.stdout
