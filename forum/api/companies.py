"""Companies and matches: the public directory and company pages, the caller's own company, and its
partner suggestions. The same services as ``forum/companies/views.py``, with the same filters, order
and visibility rules."""

from __future__ import annotations

from typing import Annotated

from flask_login import AnonymousUserMixin
from pydantic import AfterValidator, Field

from forum.api import bp
from forum.api.framework import (
    Out,
    Page,
    PageQuery,
    actor,
    caller,
    forum_zone,
    operation,
    own_company_id,
    page_of,
)
from forum.api.schemas import CompanyOut, CompanyPatch, CompanySummary, Id, company_out, company_summary
from forum.models import Company
from forum.services import companies, matching

# The directory page cuts an over-long search rather than refusing it: the first words still narrow the list.
SEARCH_MAX = 200


# --- models ------------------------------------------------------------------------------------------

class DirectoryParams(PageQuery):
    q: Annotated[str, AfterValidator(lambda text: text[:SEARCH_MAX])] = Field(
        "", description="Words to look for in the name, city, country, offers, needs, description, delegation "
                        "and sector names; every word must appear. Case does not matter. Only the first "
                        f"{SEARCH_MAX} characters and the first 10 words count, as on the directory page.")
    delegation_id: Id | None = Field(None, description="Only companies of this delegation. An id that names no "
                                                       "delegation gives an empty page.")
    sector_id: Id | None = Field(None, description="Only companies in this sector. An id that names no sector "
                                                   "gives an empty page.")


class CompanyPage(Page[CompanySummary]):
    """A page of the public directory, in name order. Companies that withdrew are never listed."""


class MatchWhy(Out):
    score: float = Field(ge=0, le=1, description="Match score from 0 to 1 (the page shows it as a percentage).")
    reasons: list[str] = Field(description="Why, as sentences in the reader's language (Accept-Language).")


class CompanyDetail(CompanyOut):
    match: MatchWhy | None = Field(
        description="Why the caller's company was suggested this one. ``null`` for anonymous callers, "
                    "organizers, the company itself, and companies that are not among the caller's suggestions.")


class MatchParams(PageQuery):
    sector_id: Id | None = Field(None, description="Only partners in this sector.")
    delegation_id: Id | None = Field(None, description="Only partners from this delegation.")
    include_dismissed: bool = Field(
        False, description="Also list the partners you hid (\"Not interested\"), after the suggestions, with "
                           "``dismissed: true`` and no score, so that they can be restored. The filters apply "
                           "to them too.")


class MatchOut(Out):
    partner: CompanySummary
    rank: int | None = Field(ge=1, description="Place among all your suggestions, 1 being the best, before any "
                                               "filter. ``null`` for a dismissed partner.")
    score: float | None = Field(ge=0, le=1, description="Match score from 0 (weakest) to 1 (strongest): the "
                                                        "weighted mean of complementarity, sectors, delegation "
                                                        "and language. ``null`` for a dismissed partner.")
    reasons: list[str] = Field(description="Why you match, as sentences in the reader's language; empty for a "
                                           "dismissed partner.")
    dismissed: bool = Field(description="You marked this partner “Not interested”.")


class MatchPage(Page[MatchOut]):
    """Your company's partner suggestions, best first: the list the "My matches" page shows."""

    suggested: int = Field(ge=0, description="How many suggestions your company has, before the filters and "
                                             "without the dismissed ones.")
    matchmaking_paused: bool = Field(description="Your company opted out of matchmaking: it gets no suggestions "
                                                 "until ``opted_out`` is set back to false.")
    profile_empty: bool = Field(description="Your profile names no offers, needs or sectors, so there is nothing "
                                            "to match on.")


# --- helpers -------------------------------------------------------------------------------------------

def _match_why(match: matching.Match | None) -> MatchWhy | None:
    if match is None:
        return None
    return MatchWhy(score=match.score, reasons=[reason for reason in match.reasons if reason])


def _fits(company: Company, sector_id: int | None, delegation_id: int | None) -> bool:
    """The match list's filters, for the dismissed partners the service lists unfiltered."""
    return ((not sector_id or any(s.id == sector_id for s in company.sectors))
            and (not delegation_id or company.delegation_id == delegation_id))


# --- operations ----------------------------------------------------------------------------------------

@operation(bp, "GET", "/companies", summary="Company directory", tag="Companies", query=DirectoryParams,
           response=CompanyPage)
def company_directory(query: DirectoryParams) -> CompanyPage:
    """The public directory, with the page's search and filters, in the same order (by name). Companies that
    withdrew from the forum are not listed. A page past the end is empty, with links back."""
    found = companies.search_directory(companies.DirectoryQuery(
        text=query.q, delegation_id=query.delegation_id, sector_id=query.sector_id, page=query.page,
    ), query.per_page)
    return CompanyPage(**page_of([company_summary(c) for c in found.items], page=query.page,
                                 per_page=query.per_page, total=found.total or 0))


@operation(bp, "GET", "/companies/<int:company_id>", summary="A company's profile", tag="Companies",
           response=CompanyDetail)
def company_profile(company_id: int) -> CompanyDetail:
    """A company's whole profile, as its page shows it. ``contact`` is filled in only for the company's own
    people, organizers, and companies with an accepted meeting with it; ``match`` says why the caller's
    company was suggested this one."""
    company = companies.get_company(company_id)
    viewer = caller().user or AnonymousUserMixin()
    out = company_out(company, show_contact=companies.can_see_contacts(viewer, company), zone=forum_zone())
    return CompanyDetail(**out.model_dump(), match=_match_why(matching.match_with(viewer, company)))


@operation(bp, "GET", "/my/company", summary="My company", tag="My company", auth="participant",
           response=CompanyOut)
def my_company() -> CompanyOut:
    """The caller's own company, with its contact details."""
    return company_out(companies.get_company(own_company_id()), show_contact=True, zone=forum_zone())


@operation(bp, "PATCH", "/my/company", summary="Update my company", tag="My company", auth="participant",
           body=CompanyPatch, response=CompanyOut)
def update_my_company(body: CompanyPatch) -> CompanyOut:
    """Change some fields of the caller's company; the fields left out keep their values. The result must
    still be a whole profile (a name, a delegation, at least one sector, offers or needs), with the same
    cleaning and limits as the edit form. Saving refreshes the match lists it touches."""
    company = companies.get_company(own_company_id())
    profile = body.merged(company)
    saved = companies.update_company(actor(), company.id, profile.to_profile())
    return company_out(saved, show_contact=True, zone=forum_zone())


@operation(bp, "GET", "/my/matches", summary="My matches", tag="My company", auth="participant",
           query=MatchParams, response=MatchPage)
def my_matches(query: MatchParams) -> MatchPage:
    """The companies suggested to the caller's company, best first, with the score and the reasons: what
    the "My matches" page shows. Partners that opted out or withdrew drop out of the list."""
    result = matching.match_list(actor(), own_company_id(), sector_id=query.sector_id,
                                 delegation_id=query.delegation_id)
    items = [MatchOut(partner=company_summary(m.partner), rank=m.rank, score=m.score,
                      reasons=[reason for reason in m.reasons if reason], dismissed=False)
             for m in result.matches]
    if query.include_dismissed:
        items += [MatchOut(partner=company_summary(c), rank=None, score=None, reasons=[], dismissed=True)
                  for c in result.dismissed if _fits(c, query.sector_id, query.delegation_id)]
    start = (query.page - 1) * query.per_page
    return MatchPage(**page_of(items[start:start + query.per_page], page=query.page, per_page=query.per_page,
                               total=len(items)),
                     suggested=result.total, matchmaking_paused=result.company.opted_out,
                     profile_empty=result.profile_empty)


@operation(bp, "POST", "/my/matches/<int:partner_id>/dismiss", summary="Dismiss a match", tag="My company",
           auth="participant")
def dismiss_my_match(partner_id: int) -> None:
    """“Not interested”: the partner is no longer suggested to the caller's company, and the list refills
    from the next best. Dismissing twice changes nothing. 409 for the caller's own company."""
    matching.dismiss(actor(), own_company_id(), partner_id)


@operation(bp, "POST", "/my/matches/<int:partner_id>/restore", summary="Restore a dismissed match",
           tag="My company", auth="participant")
def restore_my_match(partner_id: int) -> None:
    """Undo a dismissal: the partner may be suggested again. 404 if it is not dismissed."""
    matching.restore(actor(), own_company_id(), partner_id)
