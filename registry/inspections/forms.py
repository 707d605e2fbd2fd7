"""Forms for planning, conducting, closing and amending visits, violations, photos and complaints.

The checklist's item fields are dynamic (one answer and one note per item), so they are read by
``parse_item_values``, which the plain form submit and the JSON autosave both use: the same input is accepted or
refused with the same message either way.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, FieldList, FormField, HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation, ValidationError

from registry.common.fields import (
    ParsedField,
    RequiredChoice,
    SelectField,
    TextField,
    enum_coerce,
    enum_select_choices,
    optional_int,
    required_input,
    text_validators,
)
from registry.common.forms import NoControlChars, RegistryForm, RegistrySubform, VersionField, strip_filter
from registry.common.text import has_forbidden_chars
from registry.db import today_local
from registry.inspections.fields import parse_coordinate, parse_date, parse_hhmm
from registry.inspections.models import Agency, AttemptReason, ComplaintSource, InspectionKind, ItemResult

NOTE_MAX = 2000
TEXT_MAX = 4000
MAX_TEAM = 6  # members besides the lead: an appraisal team has at most 7 people (Decision 3520/QĐ-BVHTTDL)
_MONEY = re.compile(r"^\d{1,3}(?:[.,\s]\d{3})+$|^\d{1,13}$")
_ITEM_FIELD = re.compile(r"^item-(\d{1,12})-(result|note)$")


def parse_count(text: str) -> int:
    """A number of people from 0 to 100,000."""
    text = text.strip()
    if not re.fullmatch(r"\d{1,6}", text) or int(text) > 100_000:
        raise ValueError(_("Enter a whole number of people, from 0 to 100,000."))
    return int(text)


def parse_money(text: str) -> int:
    """Whole đồng: "15000000", "15.000.000" or "15,000,000"."""
    text = text.strip().removesuffix("₫").removesuffix("đ").strip()
    if not _MONEY.match(text):
        raise ValueError(_("Enter the amount in đồng as a whole number, e.g. 15.000.000."))
    value = int(re.sub(r"[.,\s]", "", text))
    if value > 10_000_000_000:
        raise ValueError(_("Enter the amount in đồng as a whole number, e.g. 15.000.000."))
    return value


def choices(pairs, blank: str | None = None) -> list[SelectChoice]:
    """Select options from ``(value, label)`` pairs (or SelectChoice), with an optional blank first option."""
    out = [SelectChoice("", blank)] if blank is not None else []
    return out + [p if isinstance(p, SelectChoice) else SelectChoice(p[0], p[1]) for p in pairs]


def _fmt_date(value: date) -> str:
    return value.isoformat()


def date_field(label, *, required: bool = False, validators=(), **kw) -> ParsedField:
    from wtforms.widgets import DateInput

    chain = ([required_input()] if required else []) + [v for v in validators if not isinstance(v, InputRequired)]
    return ParsedField(label, validators=chain, parse=parse_date, fmt=_fmt_date, widget=DateInput(), **kw)


def time_field(label, **kw) -> ParsedField:
    from wtforms.widgets import TimeInput

    return ParsedField(label, parse=parse_hhmm, fmt=lambda t: t.strftime("%H:%M"), widget=TimeInput(), **kw)


class NoteField(TextAreaField):
    """A trimmed multi-line text; blank becomes None."""

    def __init__(self, label=None, validators=None, max_length: int = TEXT_MAX, **kwargs):
        kwargs.setdefault("filters", [strip_filter, lambda v: v or None])
        validators = list(validators or []) + [NoControlChars(), Length(
            max=max_length, message=_l("Use at most %(max)d characters.", max=max_length))]
        super().__init__(label, validators, **kwargs)


def _not_before_today(form, field):
    if field.data is not None and field.data < today_local():
        raise ValidationError(_("The date cannot be in the past."))
    if field.data is not None and field.data > today_local() + timedelta(days=730):
        raise ValidationError(_("Choose a date within the next two years."))


# ----------------------------------------------------------------------------------------------- planning
class MemberForm(RegistrySubform):
    """One team member: a registry user or a person from another agency."""

    user_id = SelectField(_l("Registry user (optional)"), coerce=optional_int, validate_choice=True)
    full_name = TextField(_l("Or full name (other agency)"), validators=text_validators(200))
    agency = SelectField(_l("Agency"), coerce=enum_coerce(Agency), choices=enum_select_choices(Agency, blank=""))
    position = TextField(_l("Position"), validators=text_validators(120))

    @property
    def is_blank(self) -> bool:
        return not (self.user_id.data or self.full_name.data)

    def validate_agency(self, field):
        if not self.is_blank and field.data is None:
            raise ValidationError(_("Choose the member's agency."))


PLANNABLE = [k for k in InspectionKind if k != InspectionKind.FOLLOW_UP]


class PlanForm(RegistryForm):
    """Plan a visit: kind, date and time window, lead and team, legal basis."""

    venue_id = HiddenField()
    complaint_id = HiddenField()
    kind = SelectField(_l("Kind of inspection"), coerce=enum_coerce(InspectionKind),
                       choices=enum_select_choices(InspectionKind, PLANNABLE, blank=_l("Choose…")),
                       validators=[RequiredChoice()])
    scheduled_on = date_field(_l("Date"), required=True, validators=[_not_before_today])
    window_from = time_field(_l("From"), description=_l("Optional time window, e.g. 21:00 to 23:00."))
    window_to = time_field(_l("To"))
    lead_id = SelectField(_l("Lead inspector"), coerce=optional_int, validators=[RequiredChoice()])
    application_id = SelectField(_l("Application (appraisal visits)"), coerce=optional_int)
    decision_number = TextField(_l("Inspection decision number"), validators=text_validators(80),
                                description=_l("The legal basis printed on the minutes, e.g. 125/QĐ-SVHTT."))
    purpose = NoteField(_l("Purpose and scope"), max_length=NOTE_MAX)
    override_reason = NoteField(_l("Reason for a second planned inspection this year"), max_length=NOTE_MAX)
    members = FieldList(FormField(MemberForm), min_entries=3, max_entries=MAX_TEAM)

    def __init__(self, *args, lead_choices=(), user_choices=(), application_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lead_id.choices = choices(lead_choices, _("Choose…"))
        self.application_id.choices = choices(application_choices, _("None"))
        for entry in self.members:
            entry.form.user_id.choices = choices(user_choices, _("Not a registry user"))

    def validate_window_to(self, field):
        if (self.window_from.data is None) != (field.data is None):
            raise ValidationError(_("Give both ends of the time window, or neither."))

    def member_rows(self) -> list:
        return [entry.form for entry in self.members if not entry.form.is_blank]


class VenueSearchForm(RegistryForm):
    """Find the venue to plan a visit for or record a complaint against (GET)."""

    class Meta:
        csrf = False

    q = TextField(_l("Venue name, reference, street or operator"), validators=text_validators(100))


# ----------------------------------------------------------------------------------------------- the visit
class StartForm(RegistryForm):
    """Start the visit; the location is sent only if the inspector ticks the box (and the phone allows it)."""

    record_location = BooleanField(_l("Record my location with the start time"))
    latitude = ParsedField(parse=lambda t: parse_coordinate(t, 90), widget=HiddenField.widget)
    longitude = ParsedField(parse=lambda t: parse_coordinate(t, 180), widget=HiddenField.widget)
    accuracy = ParsedField(parse=lambda t: min(abs(float(t)), 1_000_000.0) if re.fullmatch(
        r"\d{1,7}(\.\d+)?", t.strip()) else 0.0, widget=HiddenField.widget)


class VisitForm(RegistryForm):
    """The visit's own fields (headcounts, representative, statements); item answers come via parse_item_values."""

    version_id = VersionField()
    customers_count = ParsedField(_l("Customers present"), parse=parse_count,
                                  render_kw={"inputmode": "numeric", "autocomplete": "off"})
    staff_count = ParsedField(_l("Staff present"), parse=parse_count,
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})
    representative_name = TextField(_l("Representative present (name)"), validators=text_validators(200))
    representative_role = TextField(_l("Their position"), validators=text_validators(120))
    operator_statement = NoteField(_l("Statement of the representative"))
    witness_statement = NoteField(_l("Statement of a witness (if any)"))
    remarks = NoteField(_l("Team's conclusions and recommendations"))
    refused_to_sign = BooleanField(_l("The representative refuses to sign the minutes"))
    refusal_reason = NoteField(_l("Reason they give for refusing"), max_length=NOTE_MAX)

    FIELDS = ("customers_count", "staff_count", "representative_name", "representative_role", "operator_statement",
              "witness_statement", "remarks", "refused_to_sign", "refusal_reason")

    def values(self, present: set[str] | None = None) -> dict:
        """Clean values of the visit fields (only those in ``present``, when given)."""
        return {name: getattr(self, name).data for name in self.FIELDS if present is None or name in present}


def parse_item_values(raw: Mapping[str, str], allowed_ids: set[int]) -> tuple[dict[int, dict], dict[str, str]]:
    """Read ``item-<id>-result`` / ``item-<id>-note`` inputs.

    :returns: ``({item_id: {"result": ItemResult | None, "note": str | None}}, {field_name: error})``; only the
        keys present in ``raw`` are returned, so an autosave of one field changes nothing else.
    """
    answers: dict[int, dict] = {}
    errors: dict[str, str] = {}
    for name, value in raw.items():
        match = _ITEM_FIELD.match(name)
        if not match:
            continue
        item_id, key = int(match.group(1)), match.group(2)
        if item_id not in allowed_ids:
            errors[name] = _("This checklist item does not belong to this visit. Reload the page.")
            continue
        value = "" if value is None else str(value)
        if has_forbidden_chars(value):
            errors[name] = _("This field contains characters that are not allowed.")
            continue
        if key == "result":
            if value not in ("", *[r.value for r in ItemResult]):
                errors[name] = _("Choose pass, fail or not applicable.")
                continue
            answers.setdefault(item_id, {})["result"] = ItemResult(value) if value else None
        else:
            value = value.strip()
            if len(value) > NOTE_MAX:
                errors[name] = _("Use at most %(max)d characters.", max=NOTE_MAX)
                continue
            answers.setdefault(item_id, {})["note"] = value or None
    return answers, errors


class ViolationForm(RegistryForm):
    """Record a violation from the catalogue, with the proposed fine and the remedy."""

    item_id = HiddenField()
    violation_type_id = SelectField(_l("Violation"), coerce=optional_int, validators=[RequiredChoice()])
    warning = BooleanField(_l("Warning instead of a fine (only where the decree allows it)"))
    amount = ParsedField(_l("Proposed fine (đồng)"), parse=parse_money, fmt=lambda v: f"{v:,}".replace(",", "."),
                         render_kw={"inputmode": "numeric", "autocomplete": "off"})
    remedy = NoteField(_l("Remedial measure"), max_length=NOTE_MAX,
                       description=_l("Printed on the minutes as written (in Vietnamese). Left empty, the "
                                      "catalogue's remedial measure is used."))
    remedy_due_on = date_field(_l("Remedy deadline"), description=_l(
        "A follow-up visit is scheduled for this date when the visit is closed."))

    def __init__(self, *args, type_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.violation_type_id.choices = choices(type_choices, _("Choose…"))

    def validate_remedy_due_on(self, field):
        if field.data is not None and field.data > today_local() + timedelta(days=730):
            raise ValidationError(_("Choose a date within the next two years."))


class CloseForm(RegistryForm):
    """Close the visit with its outcome, or record an attempt and the next date."""

    OUTCOMES = (SelectChoice("compliant", _l("Compliant — nothing to remedy")),
                SelectChoice("violations", _l("Violations found")),
                SelectChoice(AttemptReason.NO_ACCESS.value, _l("Attempted — no access (visit stays open)")),
                SelectChoice(AttemptReason.CLOSED.value, _l("Attempted — venue closed (visit stays open)")))
    version_id = VersionField()
    outcome = RadioField(_l("Outcome"), choices=OUTCOMES, validate_choice=False)
    next_date = date_field(_l("Date of the next visit (attempted visits)"), validators=[_not_before_today])
    attempt_note = NoteField(_l("What happened (attempted visits)"), max_length=NOTE_MAX)

    def validate_outcome(self, field):
        if field.data not in {choice.value for choice in self.OUTCOMES}:
            raise StopValidation(_("Choose the outcome of the visit."))

    @property
    def is_attempt(self) -> bool:
        return self.outcome.data in (AttemptReason.NO_ACCESS.value, AttemptReason.CLOSED.value)

    def validate_next_date(self, field):
        if self.is_attempt and field.data is None:
            raise ValidationError(_("An attempted visit stays open: choose the date of the next visit."))


class PhotoForm(RegistryForm):
    """Add a photo (JPEG or PNG) to the visit."""

    photo = FileField(_l("Photo (JPEG or PNG)"), render_kw={"accept": "image/jpeg,image/png"})
    item_id = SelectField(_l("About checklist item"), coerce=optional_int, validate_choice=True)
    caption = TextField(_l("Caption"), validators=text_validators(300))
    keep_location = BooleanField(_l("Keep the photo's location (GPS)"), description=_l(
        "Unticked, the location stored in the photo is removed."))

    def __init__(self, *args, item_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.item_id.choices = choices(item_choices, _("The visit in general"))

    def validate_photo(self, field):
        if not field.data or not getattr(field.data, "filename", None):
            raise StopValidation(_("Choose a photo to upload."))


class AmendForm(VisitForm):
    """Correct a completed visit; the reason is required and kept with the change."""

    reason = NoteField(_l("Reason for the correction"), validators=[
        DataRequired(message=_l("Give the reason for the correction.")),
        Length(min=10, message=_l("Explain the correction in at least 10 characters."))], max_length=NOTE_MAX)
    FIELDS = ("customers_count", "staff_count", "representative_name", "representative_role", "operator_statement",
              "witness_statement", "remarks")


# ----------------------------------------------------------------------------------------------- managing
class RescheduleForm(RegistryForm):
    version_id = VersionField()
    scheduled_on = date_field(_l("New date"), required=True, validators=[_not_before_today])
    reason = NoteField(_l("Reason"), max_length=NOTE_MAX)


class CancelForm(RegistryForm):
    version_id = VersionField()
    reason = NoteField(_l("Reason for cancelling"), validators=[
        DataRequired(message=_l("Give the reason for cancelling."))], max_length=NOTE_MAX)


class AssignForm(RegistryForm):
    version_id = VersionField()
    lead_id = SelectField(_l("Lead inspector"), coerce=optional_int, validators=[RequiredChoice()])

    def __init__(self, *args, lead_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lead_id.choices = choices(lead_choices, _("Choose…"))


class FollowUpForm(RegistryForm):
    scheduled_on = date_field(_l("Date of the follow-up"), required=True,
                              validators=[_not_before_today])
    lead_id = SelectField(_l("Lead inspector"), coerce=optional_int, validators=[RequiredChoice()])

    def __init__(self, *args, lead_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lead_id.choices = choices(lead_choices, _("Choose…"))


class ReissueForm(RegistryForm):
    """A button: print the minutes again with the amendments."""


class SuspendForm(RegistryForm):
    """A button: suspend the licence from the prompt and issue the suspension notice."""


class ComplaintForm(RegistryForm):
    """Record a complaint about a venue."""

    venue_id = HiddenField()
    received_on = date_field(_l("Received on"), required=True)
    source = SelectField(_l("From"), coerce=enum_coerce(ComplaintSource),
                    choices=enum_select_choices(ComplaintSource, blank=_l("Choose…")), validators=[RequiredChoice()])
    complainant = TextField(_l("Complainant or agency (optional)"), validators=text_validators(200))
    summary = NoteField(_l("What is the complaint about?"), validators=[
        DataRequired(message=_l("Describe the complaint."))])


class CloseComplaintForm(RegistryForm):
    note = NoteField(_l("How was it handled?"), validators=[
        DataRequired(message=_l("Say how the complaint was handled."))], max_length=NOTE_MAX)
