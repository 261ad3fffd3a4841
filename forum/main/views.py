"""The home page: what the forum is, who is coming, and the way in; and the health check."""

from __future__ import annotations

from flask import Response, jsonify, render_template

from forum.main import bp
from forum.services import companies, health


@bp.get("/")
def home() -> str:
    delegations = companies.companies_per_delegation()
    return render_template(
        "main/home.html",
        delegations=delegations,
        total_companies=sum(count for _, count in delegations),
        sectors=companies.sector_counts()[:8],
    )


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """For load balancers and monitoring: 200 while the database answers, 503 when it does not."""
    ok, elapsed_ms, error = health.database_check()
    body = {"status": "ok" if ok else "unavailable",
            "database": {"ok": ok, "ms": round(elapsed_ms, 1), **({"error": error} if error else {})}}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ok else 503
