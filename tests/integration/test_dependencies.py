"""The CI dependency audit (.ci/audit): how it reads pip-audit's answers.

pip-audit exits 1 both for "vulnerabilities found" and for "service unreachable", and 0 when every package
was skipped; these tests pin down how .ci/audit tells them apart, on the outputs pip-audit 2.10 prints.
No network: the index lookups of the partial check are replaced.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

AUDIT_SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "audit"

# What pip-audit 2.10.1 printed on this machine: osv.dev's name does not resolve.
OSV_DNS_FAILURE = """Traceback (most recent call last):
  File "/tmp/venv/lib/python3.11/site-packages/requests/adapters.py", line 729, in send
    raise ConnectionError(e, request=request)
requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev', port=443): Max retries exceeded \
with url: /v1/query (Caused by NameResolutionError("Failed to resolve 'api.osv.dev'"))"""
# What pip-audit's CLI logs for its own ConnectionError (a connect time-out to PyPI).
PYPI_CONNECT_TIMEOUT = """ERROR:pip_audit._cli:Could not connect to PyPI's vulnerability feed
ERROR:pip_audit._cli:Tip: your network may be blocking this service. Try another service with `-s SERVICE`"""


@pytest.fixture(scope="module")
def audit() -> Iterator[ModuleType]:
    loader = importlib.machinery.SourceFileLoader("ci_audit", str(AUDIT_SCRIPT))
    spec = importlib.util.spec_from_loader("ci_audit", loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["ci_audit"] = module  # dataclasses look their module up while the class is built
    loader.exec_module(module)
    yield module
    del sys.modules["ci_audit"]


def test_classify_report_with_vulnerability_fails(audit: ModuleType) -> None:
    report = {
        "dependencies": [
            {"name": "forum-matchmaking", "skip_reason": "distribution marked as editable"},
            {"name": "click", "version": "8.5.1", "vulns": []},
            {"name": "flask", "version": "0.5", "vulns": [
                {"id": "PYSEC-2019-179", "fix_versions": ["1.0"], "aliases": ["CVE-2019-1010083"],
                 "description": "Unexpected memory usage.\nThe fix is in 1.0."},
            ]},
        ],
        "fixes": [],
    }

    outcome = audit.classify(1, report, "Found 1 known vulnerability in 1 package")

    assert outcome.kind == "vulnerable"
    assert outcome.audited == 2
    assert outcome.vulnerable == [
        "flask 0.5: PYSEC-2019-179 / CVE-2019-1010083 (fix: 1.0) - Unexpected memory usage. The fix is in 1.0."
    ]
    assert outcome.skipped == []


def test_classify_every_package_not_found_is_unreachable_not_a_pass(audit: ModuleType) -> None:
    # A mirror without PyPI's per-release JSON answers 404 for every package, and pip-audit exits 0.
    report = {"dependencies": [
        {"name": "forum-matchmaking", "skip_reason": "distribution marked as editable"},
        {"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be audited: flask (3.1.3)"},
        {"name": "click", "skip_reason": "Dependency not found on PyPI and could not be audited: click (8.5.1)"},
    ], "fixes": []}

    outcome = audit.classify(0, report, "No known vulnerabilities found")

    assert outcome.kind == "unreachable"
    assert outcome.reason == (
        "every one of the 2 packages was skipped: Dependency not found on PyPI and could not be audited"
        " (HTTP 404 from PyPI's per-release JSON)"
    )


def test_classify_clean_report_passes_and_lists_skipped_packages(audit: ModuleType) -> None:
    report = {"dependencies": [
        {"name": "forum-matchmaking", "skip_reason": "distribution marked as editable"},
        {"name": "flask", "version": "3.1.3", "vulns": []},
        {"name": "odd-one", "skip_reason": "Dependency not found on PyPI and could not be audited: odd-one (1.0)"},
    ], "fixes": []}

    outcome = audit.classify(0, report, "No known vulnerabilities found")

    assert outcome.kind == "clean"
    assert outcome.audited == 1
    assert outcome.skipped == ["odd-one: Dependency not found on PyPI and could not be audited: odd-one (1.0)"]


@pytest.mark.parametrize(
    ("stderr", "reason"),
    [
        (OSV_DNS_FAILURE, OSV_DNS_FAILURE.splitlines()[-1]),
        (PYPI_CONNECT_TIMEOUT, "ERROR:pip_audit._cli:Could not connect to PyPI's vulnerability feed"),
        ("requests.exceptions.HTTPError: 503 Server Error: Service Unavailable for url: https://pypi.org/pypi/x",
         "requests.exceptions.HTTPError: 503 Server Error: Service Unavailable for url: https://pypi.org/pypi/x"),
    ],
)
def test_classify_network_failure_without_report_is_unreachable(audit: ModuleType, stderr: str, reason: str) -> None:
    outcome = audit.classify(1, None, stderr)

    assert outcome.kind == "unreachable"
    assert outcome.reason == reason


def test_classify_other_failure_fails_the_build(audit: ModuleType) -> None:
    outcome = audit.classify(2, None, "usage: pip-audit ...\npip-audit: error: unrecognized arguments: --bogus")

    assert outcome.kind == "error"
    assert outcome.reason == (
        "pip-audit exited 2 without a report: pip-audit: error: unrecognized arguments: --bogus"
    )


def test_classify_exit_1_with_report_but_no_vulnerability_fails_the_build(audit: ModuleType) -> None:
    report = {"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []}], "fixes": []}

    outcome = audit.classify(1, report, "something new went wrong")

    assert outcome.kind == "error"
    assert outcome.reason == "pip-audit exited 1 without reporting a vulnerability: something new went wrong"


def test_latest_release_advisories_checks_only_latest_releases(
    audit: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    projects = {
        "pycrypto": {"info": {"version": "2.6.1"}, "vulnerabilities": [
            {"id": "PYSEC-2017-94", "fixed_in": [], "withdrawn": None},
            {"id": "PYSEC-2000-1", "fixed_in": ["2.7"], "withdrawn": "2020-01-01T00:00:00Z"},
        ]},
        "flask": {"info": {"version": "3.1.3"}, "vulnerabilities": []},
        "numpy": {"info": {"version": "2.5.5"}, "vulnerabilities": []},
        "gone": "HTTP Error 404: Not Found",
    }
    monkeypatch.setattr(audit, "_project_json", projects.__getitem__)

    vulnerable, checked, not_checked = audit.latest_release_advisories(
        {"pycrypto": "2.6.1", "flask": "3.1.3", "numpy": "2.4.6", "gone": "1.0"}
    )

    assert vulnerable == ["pycrypto 2.6.1: PYSEC-2017-94 (fix: none yet)"]
    assert checked == ["flask", "pycrypto"]
    assert not_checked == ["gone 1.0 (index: HTTP Error 404: Not Found)", "numpy 2.4.6 (latest is 2.5.5)"]
