"""Shared data for the company API tests: two delegations, their companies, their people and tokens."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Company, MatchDismissal, Role
from forum.services import matching
from tests import factories


def build_world(app: Flask) -> dict[str, Any]:
    """Almaty (Kazakhstan) and Samarkand (Uzbekistan) delegations, four active companies that match across
    them, one deactivated company, a delegate of Alpha Dairy, one of Bukhara Pack, an organizer, and a
    read-write token for each (plus a read-only one for Alpha's delegate). Match lists are computed."""
    with app.app_context():
        almaty = factories.delegation("Almaty Region", country="Kazakhstan")
        samarkand = factories.delegation("Samarkand Region", country="Uzbekistan")
        alpha = factories.company(
            sectors=("dairy",), delegation_id=almaty, name="Alpha Dairy", city="Almaty",
            offers="Pasteurised milk, kefir and milk powder", needs="Packaging film and cartons",
            contact_name="Aigerim Bekova", contact_email="aigerim@alpha.example", contact_phone="+7 701 111 11 11")
        aral = factories.company(
            sectors=("textiles",), delegation_id=almaty, name="Aral Textiles", city="Aralsk",
            offers="Cotton yarn", needs="Natural dyes", contact_email="info@aral.example")
        bukhara = factories.company(
            sectors=("packaging",), delegation_id=samarkand, name="Bukhara Pack", city="Bukhara",
            country="Uzbekistan", offers="Packaging film and cartons for dairies", needs="Milk powder",
            contact_name="Dilshod Karimov", contact_email="dilshod@bukhara.example", contact_phone="+998 90 000 00 00")
        samarkand_foods = factories.company(
            sectors=("food-processing",), delegation_id=samarkand, name="Samarkand Foods", city="Samarkand",
            country="Uzbekistan", offers="Canned vegetables", needs="Pasteurised milk and kefir",
            contact_email="food@samarkand.example")
        closed = factories.company(
            sectors=("dairy",), delegation_id=samarkand, name="Zeta Closed Dairy", country="Uzbekistan",
            offers="Cheese", needs="Packaging film")
        db.session.get(Company, closed).active = False
        db.session.commit()
        alpha_user = factories.user(company_id=alpha, email="aigerim@alpha.example")
        bukhara_user = factories.user(company_id=bukhara, email="dilshod@bukhara.example")
        organizer = factories.user(role=Role.ORGANIZER, email="organizer@forum.example")
        matching.recompute_all()
        return {
            "almaty": almaty, "samarkand": samarkand, "alpha": alpha, "aral": aral, "bukhara": bukhara,
            "samarkand_foods": samarkand_foods, "closed": closed, "alpha_user": alpha_user,
            "bukhara_user": bukhara_user, "organizer": organizer,
            "alpha_token": factories.api_token(alpha_user), "alpha_read_token": factories.api_token(alpha_user, "read"),
            "bukhara_token": factories.api_token(bukhara_user), "organizer_token": factories.api_token(organizer),
        }


def company_snapshot(app: Flask, company_id: int) -> dict[str, Any]:
    """Every column of the company row, its sectors and the match-list state: what a refused write must leave."""
    with app.app_context():
        db.session.expire_all()
        company = db.session.get(Company, company_id)
        columns = {column.name: getattr(company, column.key) for column in Company.__mapper__.columns}
        columns["sector_ids"] = sorted(s.id for s in company.sectors)
        columns["languages"] = list(company.languages)
        return columns


def dismissal_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(MatchDismissal))
