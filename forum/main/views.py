"""The home page: what the forum is, who is coming, and the way in."""

from __future__ import annotations

from flask import render_template

from forum.main import bp
from forum.services import companies


@bp.get("/")
def home() -> str:
    delegations = companies.companies_per_delegation()
    return render_template(
        "main/home.html",
        delegations=delegations,
        total_companies=sum(count for _, count in delegations),
        sectors=companies.sector_counts()[:8],
    )
