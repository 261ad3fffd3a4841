"""SQLAlchemy models, one module per aggregate. Import them from here."""

from forum.models.api_token import TOKEN_NAME_MAX, ApiToken, TokenScope
from forum.models.company import Company, CompanySize, company_sector, name_key
from forum.models.forum import ContentVersion, Delegation, Forum, Sector
from forum.models.matching import (
    MatchDismissal,
    MatchingSettings,
    MatchState,
    MatchSuggestion,
    SectorAffinity,
)
from forum.models.meeting import (
    OPEN_STATUSES,
    AgendaChange,
    CompanyUnavailability,
    ForumBreak,
    ForumSession,
    MeetingRequest,
    MeetingSeat,
    Notification,
    OutboxEmail,
    RequestStatus,
    ScheduledMeeting,
    SessionPreference,
    Slot,
    VenueTable,
)
from forum.models.outcome import (
    VALUE_USD_MAX,
    AttendanceStatus,
    CalendarFeed,
    CheckInMethod,
    DealOutcome,
    MeetingAttendance,
    MeetingFeedback,
)
from forum.models.types import utcnow
from forum.models.user import Role, User

__all__ = [
    "TOKEN_NAME_MAX",
    "ApiToken",
    "TokenScope",
    "VALUE_USD_MAX",
    "AttendanceStatus",
    "ContentVersion",
    "CalendarFeed",
    "CheckInMethod",
    "DealOutcome",
    "MeetingAttendance",
    "MeetingFeedback",
    "AgendaChange",
    "OPEN_STATUSES",
    "CompanyUnavailability",
    "ForumBreak",
    "ForumSession",
    "MeetingRequest",
    "MeetingSeat",
    "Notification",
    "OutboxEmail",
    "RequestStatus",
    "ScheduledMeeting",
    "SessionPreference",
    "Slot",
    "VenueTable",
    "Company",
    "CompanySize",
    "Delegation",
    "Forum",
    "MatchDismissal",
    "MatchState",
    "MatchSuggestion",
    "MatchingSettings",
    "Role",
    "Sector",
    "SectorAffinity",
    "User",
    "company_sector",
    "name_key",
    "utcnow",
]
