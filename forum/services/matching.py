"""Partner recommendations: load profiles, call the pure matcher, store and serve its suggestions.

Suggestions are stored per company (``match_suggestion``) so "My matches" renders without refitting.
A company's stored list is fresh while ``match_state`` records its current ``profile_version`` and the
settings ``generation``. Saving a profile refreshes that company's list and every list it may enter
or leave, in the same request (see the README for the measured cost); imports and settings changes
recompute everything.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, selectinload

from forum.extensions import db
from forum.languages import language_label
from forum.matching import (
    DEFAULT_AFFINITY,
    DEFAULT_WEIGHTS,
    CrossDelegation,
    MatchingConfig,
    Profile,
    Reason,
    ReasonKind,
    Weights,
    build_index,
)
from forum.models import (
    Company,
    Delegation,
    MatchDismissal,
    MatchingSettings,
    MatchState,
    MatchSuggestion,
    Sector,
    SectorAffinity,
    User,
    name_key,
    utcnow,
)
from forum.models.matching import WEIGHT_MAX
from forum.services.companies import MAX_ID, can_edit, get_company
from forum.services.errors import NotFound, PermissionDenied, ServiceError

# SQLite allows 32,766 bound parameters per statement; stay well below for IN lists and inserts.
_BATCH = 5000


# --- settings ---------------------------------------------------------------------------------------


def get_settings() -> MatchingSettings:
    """The forum's matching settings row, created with the defaults when missing. Caller commits."""
    settings = db.session.scalar(select(MatchingSettings).order_by(MatchingSettings.id).limit(1))
    if settings is None:
        settings = MatchingSettings(cross_delegation=CrossDelegation.PREFER.value, generation=1)
        db.session.add(settings)
        db.session.flush()
    return settings


def effective_weights(settings: MatchingSettings) -> Weights:
    """The organizer's weights, with the platform default for each one left unset."""
    return Weights(
        complementarity=_or(settings.weight_complementarity, DEFAULT_WEIGHTS.complementarity),
        sector=_or(settings.weight_sector, DEFAULT_WEIGHTS.sector),
        cross_delegation=_or(settings.weight_cross_delegation, DEFAULT_WEIGHTS.cross_delegation),
        language=_or(settings.weight_language, DEFAULT_WEIGHTS.language),
    )


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def stored_count() -> int:
    """How many suggestions are kept per company: the page filters within them."""
    return int(current_app.config["MATCHES_STORED"])


def matching_config(settings: MatchingSettings | None = None) -> MatchingConfig:
    settings = settings or get_settings()
    try:
        rule = CrossDelegation(settings.cross_delegation)
    except ValueError:
        rule = CrossDelegation.PREFER
    return MatchingConfig(
        weights=effective_weights(settings),
        cross_delegation=rule,
        affinity=load_affinity(),
        top_k=stored_count(),
    )


def load_affinity() -> dict[frozenset[str], float]:
    rows = db.session.scalars(select(SectorAffinity))
    return {frozenset((row.sector_a.key, row.sector_b.key)): row.strength for row in rows}


def affinity_rows() -> list[SectorAffinity]:
    rows = list(db.session.scalars(select(SectorAffinity)))
    return sorted(rows, key=lambda r: (r.sector_a.position, r.sector_b.position))


def ensure_default_affinity() -> None:
    """Seed the value-chain table when it is empty (databases built without migrations). Caller commits."""
    if db.session.scalar(select(SectorAffinity).limit(1)) is not None:
        return
    sectors = {s.key: s for s in db.session.scalars(select(Sector))}
    for pair, strength in DEFAULT_AFFINITY.items():
        keys = sorted(pair)
        if len(keys) != 2 or not all(k in sectors for k in keys):
            continue
        a, b = sorted((sectors[keys[0]].id, sectors[keys[1]].id))
        db.session.add(SectorAffinity(sector_a_id=a, sector_b_id=b, strength=strength))


@dataclass(frozen=True)
class SettingsChange:
    cross_delegation: CrossDelegation
    weights: Weights
    # (sector id, sector id) -> strength; pairs not listed are removed.
    affinity: dict[tuple[int, int], float] = field(default_factory=dict)


def update_settings(change: SettingsChange) -> RecomputeSummary:
    """Save the organizer's matching settings and recompute every list with them."""
    weights = change.weights
    parts = (weights.complementarity, weights.sector, weights.cross_delegation, weights.language)
    if not all(math.isfinite(w) and 0 <= w <= WEIGHT_MAX for w in parts):
        raise ServiceError(_("Each weight is a number from 0 to %(max)d.", max=int(WEIGHT_MAX)))
    # Delegation and language alone never make a pair worth meeting (the matcher drops such pairs):
    # with both of these at zero every list would be empty.
    if weights.complementarity + weights.sector <= 0:
        raise ServiceError(_("Give “Needs met by offers” or “Sectors” a weight above zero: another "
                             "delegation or a shared language alone is no reason to meet."),
                           field="weight_complementarity")
    sector_ids = set(db.session.scalars(select(Sector.id)))
    for (a, b), strength in change.affinity.items():
        if a == b or a not in sector_ids or b not in sector_ids:
            raise ServiceError(_("A related-sector pair needs two different sectors from the list."))
        if not 0 < strength <= 1:
            raise ServiceError(_("A related-sector strength is above 0 and at most 1."))
    try:
        settings = get_settings()
        settings.cross_delegation = change.cross_delegation.value
        settings.weight_complementarity = weights.complementarity
        settings.weight_sector = weights.sector
        settings.weight_cross_delegation = weights.cross_delegation
        settings.weight_language = weights.language
        _bump_generation()
        wanted = {tuple(sorted(pair)): strength for pair, strength in change.affinity.items()}
        for row in list(db.session.scalars(select(SectorAffinity))):
            key = (row.sector_a_id, row.sector_b_id)
            if key in wanted:
                row.strength = wanted.pop(key)
            else:
                db.session.delete(row)
        for (a, b), strength in wanted.items():
            db.session.add(SectorAffinity(sector_a_id=a, sector_b_id=b, strength=strength))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(_("Someone changed the matching settings at the same moment. "
                             "Reload the page and try again.")) from None
    except Exception:
        db.session.rollback()
        raise
    return recompute_all()


def _bump_generation() -> None:
    """In SQL, so that two organizers saving at once both move it on (a Python += would lose one)."""
    db.session.execute(update(MatchingSettings).values(generation=MatchingSettings.generation + 1))


def reset_weights() -> RecomputeSummary:
    """Back to the platform's default weights (the cross-delegation rule and sector table stay)."""
    settings = get_settings()
    settings.weight_complementarity = settings.weight_sector = None
    settings.weight_cross_delegation = settings.weight_language = None
    _bump_generation()
    db.session.commit()
    return recompute_all()


@dataclass(frozen=True)
class MatchingStatistics:
    companies: int  # taking part in matchmaking
    with_matches: int
    without_matches: int
    suggestions: int
    dismissals: int
    stale: int  # lists computed from an older profile or older settings


def statistics() -> MatchingStatistics:
    settings = get_settings()
    companies = db.session.scalar(select(func.count()).select_from(Company).where(Company.opted_out.is_(False),
                                                                         Company.active.is_(True)))
    with_matches = db.session.scalar(select(func.count(func.distinct(MatchSuggestion.company_id))))
    stale = db.session.scalar(
        select(func.count()).select_from(Company)
        .outerjoin(MatchState, MatchState.company_id == Company.id)
        .where(Company.opted_out.is_(False), Company.active.is_(True), or_(
            MatchState.company_id.is_(None),
            MatchState.generation != settings.generation,
            MatchState.profile_version != Company.profile_version,
        ))
    )
    return MatchingStatistics(
        companies=companies, with_matches=with_matches, without_matches=max(companies - with_matches, 0),
        suggestions=db.session.scalar(select(func.count()).select_from(MatchSuggestion)),
        dismissals=db.session.scalar(select(func.count()).select_from(MatchDismissal)),
        stale=stale,
    )


# --- computing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Snapshot:
    """The profiles a computation used, with the versions they had then: lists are marked fresh
    against these, so a profile saved during the computation leaves its list stale, not wrongly fresh."""

    profiles: list[Profile]
    versions: dict[int, int]


def load_profiles() -> list[Profile]:
    """Every company that takes part in matchmaking, as the matcher's plain data."""
    return _snapshot().profiles


def _snapshot() -> _Snapshot:
    companies = list(db.session.scalars(
        select(Company).where(Company.opted_out.is_(False), Company.active.is_(True))
        .options(selectinload(Company.sectors)).order_by(Company.id)
    ))
    return _Snapshot([to_profile(c) for c in companies], {c.id: c.profile_version for c in companies})


def to_profile(company: Company) -> Profile:
    return Profile(
        id=company.id,
        delegation=company.delegation.name,
        country=company.country,
        sectors=tuple(s.key for s in company.sectors),
        offers=company.offers or "",
        needs=company.needs or "",
        description=company.description or "",
        languages=tuple(company.languages or ()),
    )


def _exclusions(company_ids: Iterable[int] | None = None) -> dict[int, set[int]]:
    stmt = select(MatchDismissal.company_id, MatchDismissal.partner_id)
    if company_ids is not None:
        stmt = stmt.where(MatchDismissal.company_id.in_(list(company_ids)))
    dismissed: dict[int, set[int]] = defaultdict(set)
    for company_id, partner_id in db.session.execute(stmt):
        dismissed[company_id].add(partner_id)
    return dismissed


@dataclass(frozen=True)
class RecomputeSummary:
    companies: int
    suggestions: int
    seconds: float


def recompute_all() -> RecomputeSummary:
    """Refit on every profile and replace every stored list. Commits."""
    started = time.perf_counter()
    settings = get_settings()
    config = matching_config(settings)
    snapshot = _snapshot()
    profiles = snapshot.profiles
    lists = build_index(profiles, config).recommend(exclusions=_exclusions(), k=config.top_k) if profiles else {}
    try:
        db.session.execute(delete(MatchSuggestion))
        db.session.execute(delete(MatchState))
        count = _store(lists, snapshot.versions, settings.generation)
        settings.computed_at = utcnow()
        settings.computed_seconds = time.perf_counter() - started
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return RecomputeSummary(companies=len(profiles), suggestions=count, seconds=settings.computed_seconds)


def profile_before_change(company: Company) -> Profile | None:
    """What matching knew of a company before a change; None when it took no part (new, opted out,
    deactivated)."""
    if company.id is None or company.opted_out or not company.active:
        return None
    return to_profile(company)


def refresh_companies(previous: Mapping[int, Profile | None]) -> None:
    """After these companies changed (signed up, edited, opted in or out): recompute their lists and
    every stored list they may now enter or leave. Commits.

    ``previous[id]`` is the company's profile before the change (see ``profile_before_change``): TF-IDF
    is fitted on the whole forum, so the words an edit adds or removes move other companies' scores,
    and the matcher needs the old words to find whose.
    """
    if not previous:
        return
    settings = get_settings()
    config = matching_config(settings)
    snapshot = _snapshot()
    profiles = snapshot.profiles
    present = {p.id: p for p in profiles}
    # The IDF counts companies in powers of two: when the count crosses one, every score moves.
    joined = sum(1 for cid, before in previous.items() if before is None and cid in present)
    left = sum(1 for cid, before in previous.items() if before is not None and cid not in present)
    if (len(profiles) - joined + left).bit_length() != len(profiles).bit_length():
        recompute_all()
        return
    stored: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for company_id, partner_id, score in db.session.execute(
        select(MatchSuggestion.company_id, MatchSuggestion.partner_id, MatchSuggestion.score)
        .order_by(MatchSuggestion.company_id, MatchSuggestion.rank)
    ):
        stored[company_id].append((partner_id, score))

    index = build_index(profiles, config) if profiles else None
    affected: set[int] = set()
    for changed, before in previous.items():
        # Lists that hold the company are affected whether it is still matchable or not.
        affected.update(x for x, rows in stored.items() if any(p == changed for p, _s in rows))
        if index is None:
            continue
        if changed in present:
            affected.add(changed)
            # A newcomer counts as a company whose texts were empty.
            before = before or replace(present[changed], offers="", needs="", description="")
            affected.update(index.affected_by(changed, stored, previous=before))
        elif before is not None:
            affected.update(index.affected_by(changed, stored, previous=before))
    gone = set(previous) - set(present)
    recompute = affected & set(present)
    lists = index.recommend(recompute, exclusions=_exclusions(recompute), k=config.top_k) if index else {}
    _replace_lists(recompute | gone, {i: snapshot.versions[i] for i in recompute}, lists, settings.generation)


def _recompute_lists(company_ids: Collection[int]) -> None:
    """Recompute only these companies' own lists (a dismissal, a stale list found on reading)."""
    settings = get_settings()
    config = matching_config(settings)
    snapshot = _snapshot()
    present = set(snapshot.versions)
    ids = set(company_ids)
    lists = {}
    if ids & present:
        lists = build_index(snapshot.profiles, config).recommend(ids & present, exclusions=_exclusions(ids),
                                                                 k=config.top_k)
    _replace_lists(ids, {i: snapshot.versions[i] for i in ids & present}, lists, settings.generation)


def _replace_lists(company_ids: Collection[int], fresh: Mapping[int, int], lists: dict, generation: int) -> None:
    """Replace the stored lists of ``company_ids``; mark those in ``fresh`` (id -> the profile version
    computed from) fresh."""
    ids = list(company_ids)
    try:
        _delete_lists(ids)
        _store(lists, fresh, generation)
        db.session.commit()
    except IntegrityError:
        # A concurrent refresh wrote some of these lists first, from data that may differ from ours:
        # leave them stale, so that each is recomputed when it is next read.
        db.session.rollback()
        _delete_lists(ids, suggestions=False)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def _delete_lists(ids: list[int], suggestions: bool = True) -> None:
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start:start + _BATCH]
        if suggestions:
            db.session.execute(delete(MatchSuggestion).where(MatchSuggestion.company_id.in_(chunk)))
        db.session.execute(delete(MatchState).where(MatchState.company_id.in_(chunk)))


def _store(lists: dict, fresh: Mapping[int, int], generation: int) -> int:
    """Insert the lists, and freshness marks for the companies in ``fresh``. Caller commits."""
    now = utcnow()
    rows = [
        {"company_id": company_id, "partner_id": rec.partner_id, "rank": rank, "score": float(rec.score),
         "reasons": [reason_to_json(r) for r in rec.reasons]}
        for company_id, recs in lists.items()
        for rank, rec in enumerate(recs, start=1)
    ]
    step = _BATCH // 5  # five columns per row
    for start in range(0, len(rows), step):
        db.session.execute(insert(MatchSuggestion), rows[start:start + step])
    states = [{"company_id": company_id, "profile_version": version, "generation": generation,
               "computed_at": now} for company_id, version in fresh.items()]
    for start in range(0, len(states), step):
        db.session.execute(insert(MatchState), states[start:start + step])
    return len(rows)


def reason_to_json(reason: Reason) -> dict:
    data: dict = {"kind": reason.kind.value, "weight": round(float(reason.weight), 4)}
    for name in ("mine", "theirs"):
        if getattr(reason, name):
            data[name] = getattr(reason, name)
    for name in ("terms", "sectors", "languages", "delegations"):
        if getattr(reason, name):
            data[name] = list(getattr(reason, name))
    if reason.cross_border:
        data["cross_border"] = True
    return data


# --- reading -----------------------------------------------------------------------------------------


def ensure_fresh(company: Company) -> None:
    """Recompute a company's own list when it was computed from an older profile or settings."""
    if company.opted_out or not company.active:
        return
    state = db.session.get(MatchState, company.id)
    generation = get_settings().generation
    if state is None or state.profile_version != company.profile_version or state.generation != generation:
        _recompute_lists([company.id])


@dataclass(frozen=True)
class Match:
    partner: Company
    rank: int
    score: float
    reasons: list[str]
    data: list[dict]


@dataclass
class MatchList:
    company: Company
    matches: list[Match]
    total: int  # suggestions before the filters
    dismissed: list[Company]
    profile_empty: bool  # nothing to match on: no offers, needs or sectors
    stored: int


def match_list(actor: User, company_id: int, sector_id: int | None = None,
               delegation_id: int | None = None) -> MatchList:
    """The suggestions for a company, best first, as its own people and organizers see them."""
    company = _company_for(actor, company_id)
    ensure_fresh(company)
    rows = list(db.session.scalars(
        select(MatchSuggestion).where(MatchSuggestion.company_id == company.id)
        # The list shows neither the partners' long descriptions nor their search text: 30 x 4,000
        # characters fetched and decoded for nothing (tests/benchmarks/load/).
        .options(selectinload(MatchSuggestion.partner).options(
            defer(Company.description), defer(Company.search_text), selectinload(Company.sectors)))
        .order_by(MatchSuggestion.rank)
    ))
    words = describer(sector_labels())
    matches = [
        Match(partner=row.partner, rank=row.rank, score=row.score,
              reasons=[words(r) for r in row.reasons], data=row.reasons)
        for row in rows
        if not row.partner.opted_out and row.partner.active
        and (not sector_id or any(s.id == sector_id for s in row.partner.sectors))
        and (not delegation_id or row.partner.delegation_id == delegation_id)
    ]
    dismissed = list(db.session.scalars(
        select(Company).join(MatchDismissal, MatchDismissal.partner_id == Company.id)
        .where(MatchDismissal.company_id == company.id).order_by(MatchDismissal.created_at.desc())
    ))
    empty = not (company.offers.strip() or company.needs.strip() or company.sectors)
    return MatchList(company=company, matches=matches, total=len(rows), dismissed=dismissed,
                     profile_empty=empty, stored=stored_count())


def match_with(actor: User, partner: Company) -> Match | None:
    """Why the viewer's company was suggested this partner, for the partner's page; None if it was not."""
    company_id = getattr(actor, "company_id", None)
    if not company_id or company_id == partner.id:
        return None
    row = db.session.get(MatchSuggestion, (company_id, partner.id))
    if row is None or partner.opted_out or not partner.active:
        return None
    labels = sector_labels()
    return Match(partner=partner, rank=row.rank, score=row.score,
                 reasons=[describe(r, labels) for r in row.reasons], data=row.reasons)


def company_for_matches(actor: User, company_id: int) -> Company:
    """The company whose matches the actor may see: PermissionDenied unless one of its people or an
    organizer, NotFound without it."""
    return _company_for(actor, company_id)


def _company_for(actor: User, company_id: int) -> Company:
    company = get_company(company_id)
    if not can_edit(actor, company):
        raise PermissionDenied(_("Only the company's own people and the organizers see its matches."))
    return company


def dismiss(actor: User, company_id: int, partner_id: int) -> Company:
    """Hide a suggestion for good ("not interested"); the list refills from the next best."""
    company = _company_for(actor, company_id)
    try:
        partner = get_company(partner_id)
    except NotFound:
        raise NotFound(_("That company no longer exists.")) from None
    if partner.id == company.id:
        raise ServiceError(_("A company is never suggested to itself."))
    if db.session.get(MatchDismissal, (company.id, partner.id)) is None:
        try:
            db.session.add(MatchDismissal(company_id=company.id, partner_id=partner.id,
                                          dismissed_by_id=actor.id))
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # dismissed twice at once: the first one stands
    _recompute_lists([company.id])
    return partner


def restore(actor: User, company_id: int, partner_id: int) -> Company:
    """Undo a dismissal: the company may be suggested again."""
    company = _company_for(actor, company_id)
    dismissal = db.session.get(MatchDismissal, (company.id, partner_id)) if 0 < partner_id <= MAX_ID else None
    if dismissal is None:
        raise NotFound(_("That company is not hidden from your matches."))
    partner = dismissal.partner
    db.session.delete(dismissal)
    db.session.commit()
    _recompute_lists([company.id])
    return partner


# --- the CLI --------------------------------------------------------------------------------------


def find_company(reference: str) -> Company:
    """A company by id, or by name (case and spacing ignored; unique across delegations)."""
    reference = " ".join(reference.split())
    if reference.isascii() and reference.isdigit():
        company = db.session.get(Company, int(reference)) if 0 < int(reference) <= MAX_ID else None
        if company is not None:
            return company
    found = list(db.session.scalars(select(Company).where(Company.name_key == name_key(reference))))
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise ServiceError(_("“%(name)s” names companies in several delegations (ids %(ids)s); give the id.",
                             name=reference, ids=", ".join(str(c.id) for c in found)))
    raise NotFound(_("No company is called “%(name)s” or has that id.", name=reference))


def recommendations(company: Company, top: int) -> list[dict]:
    """The company's top recommendations as plain data: what `flask recommend --json` prints."""
    if company.opted_out or not company.active:
        return []
    ensure_fresh(company)
    if top <= stored_count():
        rows = list(db.session.execute(
            select(MatchSuggestion, Company, Delegation)
            .join(Company, Company.id == MatchSuggestion.partner_id)
            .join(Delegation, Delegation.id == Company.delegation_id)
            .where(MatchSuggestion.company_id == company.id)
            .order_by(MatchSuggestion.rank).limit(top)
        ))
        items = [(s.score, s.reasons, partner, delegation) for s, partner, delegation in rows]
    else:
        # More than is stored: compute this one list on the spot.
        config = matching_config()
        index = build_index(load_profiles(), config)
        recs = index.recommend([company.id], exclusions=_exclusions([company.id]), k=top).get(company.id, [])
        partners = {c.id: c for c in db.session.scalars(
            select(Company).where(Company.id.in_([r.partner_id for r in recs])))}
        items = [(r.score, [reason_to_json(x) for x in r.reasons], partners[r.partner_id],
                  partners[r.partner_id].delegation) for r in recs]
    labels = sector_labels()
    return [
        {"company_id": partner.id, "name": partner.name, "delegation": delegation.name,
         "score": round(float(score), 4), "reasons": [describe(r, labels) for r in reasons]}
        for score, reasons, partner, delegation in items
    ]


# --- words ----------------------------------------------------------------------------------------


def sector_labels() -> dict[str, str]:
    return {s.key: s.name for s in db.session.scalars(select(Sector))}


def _quote(text: str) -> str:
    return _("“%(text)s”", text=text)


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s", first=", ".join(items[:-1]), last=items[-1])


def describer(labels: dict[str, str]) -> Callable[[dict], str]:
    """``describe`` for the many reasons of one page, each distinct reason worded once: a match list says
    "You both speak Russian and English" and "Almaty ↔ Kashkadarya" on most of its 30 cards, and wording a
    reason (several translation lookups) was a tenth of the page's time (tests/benchmarks/load/)."""
    worded: dict[str, str] = {}

    def words(reason: dict) -> str:
        key = repr(reason)  # stored reasons are small dicts of strings, numbers and lists
        text = worded.get(key)
        if text is None:
            text = worded[key] = describe(reason, labels)
        return text

    return words


def describe(reason: dict, labels: dict[str, str]) -> str:
    """One stored reason as a sentence in the reader's language."""
    kind = reason.get("kind")
    sectors = [labels.get(key, key) for key in reason.get("sectors", [])]
    if kind == ReasonKind.YOU_NEED:
        return _("You need %(need)s; they offer %(offer)s.",
                 need=_quote(reason.get("mine", "")), offer=_quote(reason.get("theirs", "")))
    if kind == ReasonKind.THEY_NEED:
        return _("They need %(need)s; you offer %(offer)s.",
                 need=_quote(reason.get("theirs", "")), offer=_quote(reason.get("mine", "")))
    if kind == ReasonKind.SAME_SECTOR and sectors:
        return _("Both of you are in %(sector)s.", sector=_join(sectors))
    if kind == ReasonKind.RELATED_SECTOR and len(sectors) == 2:
        return _("Your %(mine)s and their %(theirs)s are links of one value chain.",
                 mine=sectors[0], theirs=sectors[1])
    if kind == ReasonKind.SHARED_LANGUAGE:
        names = [str(language_label(code)) for code in reason.get("languages", [])]
        return _("You both speak %(languages)s.", languages=_join(names))
    if kind == ReasonKind.CROSS_DELEGATION:
        mine, theirs = (reason.get("delegations", []) + ["", ""])[:2]
        if reason.get("cross_border"):
            return _("%(mine)s ↔ %(theirs)s: cross-border partner.", mine=mine, theirs=theirs)
        return _("%(mine)s ↔ %(theirs)s: a partner from another delegation.", mine=mine, theirs=theirs)
    return ""
