"""The forum's own details: name, place, dates, time zone, description."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from forum.forms import ForumForm
from forum.models.forum import FORUM_NAME_MAX
from forum.services.forums import ForumDetails

# Where the forum's delegations and guests come from; any other IANA zone is accepted as well, so
# the select never hides the zone a forum already has.
ZONES = ("Asia/Tashkent", "Asia/Samarkand", "Asia/Almaty", "Asia/Qostanay", "Asia/Aqtobe", "Asia/Bishkek",
         "Asia/Dushanbe", "Asia/Ashgabat", "Asia/Baku", "Asia/Tbilisi", "Asia/Yerevan", "Europe/Moscow",
         "Europe/Istanbul", "Asia/Dubai", "Asia/Kolkata", "Asia/Shanghai", "Asia/Seoul", "Asia/Tokyo",
         "Europe/Berlin", "Europe/London", "UTC")

DESCRIPTION_MAX = 4000


class ForumDetailsForm(ForumForm):
    name = StringField(_l("Forum name"), validators=[InputRequired(_l("Enter the forum's name.")),
                                                     Length(max=FORUM_NAME_MAX)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    starts_on = DateField(_l("First day"), validators=[InputRequired(_l("Enter a date."))],
                          description=_l("As a date, e.g. 2024-10-17."))
    ends_on = DateField(_l("Last day"), validators=[InputRequired(_l("Enter a date."))])
    # Checked against zoneinfo by the service, with a message that says what is wrong.
    timezone = SelectField(_l("Time zone"), validate_choice=False,
                           description=_l("Meeting times are shown in this zone."))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=DESCRIPTION_MAX)])

    def set_zone_choices(self, labels: dict[str, str]) -> None:
        self.timezone.choices = list(labels.items())

    def details(self) -> ForumDetails:
        return ForumDetails(name=self.name.data or "", city=self.city.data or "", venue=self.venue.data or "",
                            starts_on=self.starts_on.data, ends_on=self.ends_on.data,
                            timezone=self.timezone.data or "", description=self.description.data or "")
