"""Models shared by several parts of the API: sectors, delegations and companies.

Limits come from the model columns (``forum.models``), and text is cleaned by the same ``clean_*``
functions the web forms and the CSV importer use, so a profile saved through the API is the profile the
form would have saved.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, Field, ValidationError, ValidationInfo, field_validator

from forum.api.framework import Body, InvalidBody, Out, local_time
from forum.languages import SPOKEN_LANGUAGES
from forum.models import Company, CompanySize, Delegation, Sector
from forum.models.company import (
    CITY_MAX,
    CONTACT_NAME_MAX,
    DESCRIPTION_MAX,
    EMAIL_MAX,
    MAX_SECTORS,
    NAME_MAX,
    NEEDS_MAX,
    OFFERS_MAX,
    PHONE_MAX,
    WEBSITE_MAX,
)
from forum.models.forum import COUNTRY_MAX
from forum.services.companies import MAX_ID, CompanyProfile
from forum.validation import clean_email, clean_phone, clean_text, clean_website

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def cleaned(maximum: int, *, multiline: bool = False, required: object | None = None,
            cleaner: Callable[[str], str] | None = None) -> AfterValidator:
    """Clean text as the web forms do, then check its length: cleaning may lengthen it (Unicode
    normalisation turns one character into up to three), and the column must hold the cleaned value.
    ``required``: the message when nothing is left (a name of spaces is no name)."""

    def check(value: str) -> str:
        value = clean_text(value, multiline=multiline)
        if required is not None and not value:
            raise ValueError(str(required))
        if value and cleaner is not None:
            value = cleaner(value)
        if len(value) > maximum:
            raise ValueError(_("At most %(max)d characters.", max=maximum))
        return value

    return AfterValidator(check)


# The raw text is limited too (max_length), so that a megabyte of spaces is refused before it is cleaned.
Language = Literal[tuple(SPOKEN_LANGUAGES)]  # type: ignore[valid-type]


class SectorOut(Out):
    id: int
    key: str = Field(description="Stable key, e.g. ``dairy``; the label may be reworded or translated.")
    label: str


class DelegationOut(Out):
    id: int
    name: str
    country: str


def sector_out(sector: Sector) -> SectorOut:
    return SectorOut(id=sector.id, key=sector.key, label=sector.label)


def delegation_out(delegation: Delegation) -> DelegationOut:
    return DelegationOut(id=delegation.id, name=delegation.name, country=delegation.country)


class Contact(Out):
    name: str
    email: str
    phone: str


class CompanySummary(Out):
    """A company as the public directory lists it."""

    id: int
    name: str
    delegation: DelegationOut
    country: str
    city: str
    sectors: list[SectorOut]
    offers: str
    needs: str
    opted_out: bool = Field(description="Listed, but not taking part in matchmaking at the moment.")


class CompanyOut(CompanySummary):
    """A company's whole public profile. ``contact`` is ``null`` unless the caller may see it: the
    company's own people, organizers, and partners with an accepted meeting."""

    description: str
    size: CompanySize | None
    website: str
    languages: list[str] = Field(description="ISO 639-1 codes of the languages its delegates speak.")
    contact: Contact | None
    updated_at: datetime


def company_summary(company: Company) -> CompanySummary:
    return CompanySummary(
        id=company.id, name=company.name, delegation=delegation_out(company.delegation), country=company.country,
        city=company.city, sectors=[sector_out(s) for s in company.sectors], offers=company.offers,
        needs=company.needs, opted_out=company.opted_out,
    )


def company_out(company: Company, *, show_contact: bool, zone: str) -> CompanyOut:
    contact = (Contact(name=company.contact_name, email=company.contact_email, phone=company.contact_phone)
               if show_contact else None)
    return CompanyOut(
        **company_summary(company).model_dump(), description=company.description, size=company.size,
        website=company.website, languages=list(company.languages), contact=contact,
        updated_at=local_time(company.updated_at, zone),
    )


class CompanyProfileIn(Body):
    """A whole company profile, as the sign-up and edit forms take it."""

    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX), cleaned(NAME_MAX, required=_l("Enter the company name."))]
    delegation_id: Id
    country: Annotated[str, Field(min_length=1, max_length=COUNTRY_MAX), cleaned(COUNTRY_MAX, required=_l("Enter the country."))]
    city: Annotated[str, Field(max_length=CITY_MAX), cleaned(CITY_MAX)] = ""
    sector_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_SECTORS)]
    offers: Annotated[str, Field(max_length=OFFERS_MAX), cleaned(OFFERS_MAX, multiline=True)] = ""
    needs: Annotated[str, Field(max_length=NEEDS_MAX, validate_default=True), cleaned(NEEDS_MAX, multiline=True)] = ""
    description: Annotated[str, Field(max_length=DESCRIPTION_MAX), cleaned(DESCRIPTION_MAX, multiline=True)] = ""
    size: CompanySize | None = None
    website: Annotated[str, Field(max_length=WEBSITE_MAX), cleaned(WEBSITE_MAX, cleaner=clean_website)] = ""
    languages: Annotated[list[Language], Field(max_length=len(SPOKEN_LANGUAGES))] = []
    contact_name: Annotated[str, Field(max_length=CONTACT_NAME_MAX), cleaned(CONTACT_NAME_MAX)] = ""
    contact_email: Annotated[str, Field(max_length=EMAIL_MAX), cleaned(EMAIL_MAX, cleaner=clean_email)] = ""
    contact_phone: Annotated[str, Field(max_length=PHONE_MAX), cleaned(PHONE_MAX, cleaner=clean_phone)] = ""
    opted_out: bool = False

    @field_validator("needs")
    @classmethod
    def _offers_or_needs(cls, needs: str, info: ValidationInfo) -> str:
        # Matchmaking has nothing to work with when both are empty.
        if not needs and not info.data.get("offers"):
            raise ValueError(_("Say what you offer, what you are looking for, or both."))
        return needs

    def to_profile(self) -> CompanyProfile:
        return CompanyProfile(
            name=self.name, delegation_id=self.delegation_id, country=self.country, city=self.city,
            sector_ids=list(dict.fromkeys(self.sector_ids)), offers=self.offers, needs=self.needs,
            description=self.description, size=self.size, website=self.website,
            languages=list(dict.fromkeys(self.languages)), contact_name=self.contact_name,
            contact_email=self.contact_email, contact_phone=self.contact_phone, opted_out=self.opted_out,
        )


class CompanyPatch(Body):
    """Only the fields to change; the others keep their values. The result must still be a whole profile."""

    name: str | None = None
    delegation_id: int | None = None
    country: str | None = None
    city: str | None = None
    sector_ids: list[int] | None = None
    offers: str | None = None
    needs: str | None = None
    description: str | None = None
    size: CompanySize | None = None
    website: str | None = None
    languages: list[str] | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    opted_out: bool | None = None

    def merged(self, company: Company) -> CompanyProfileIn:
        """The company's profile with this patch applied, validated as a whole profile."""
        current = {
            "name": company.name, "delegation_id": company.delegation_id, "country": company.country,
            "city": company.city, "sector_ids": [s.id for s in company.sectors], "offers": company.offers,
            "needs": company.needs, "description": company.description,
            "size": company.size.value if company.size else None, "website": company.website,
            "languages": list(company.languages), "contact_name": company.contact_name,
            "contact_email": company.contact_email, "contact_phone": company.contact_phone,
            "opted_out": company.opted_out,
        }
        changes = self.model_dump(mode="json", exclude_unset=True)
        try:
            return CompanyProfileIn.model_validate_json(json.dumps({**current, **changes}))
        except ValidationError as error:
            raise InvalidBody(error) from None
