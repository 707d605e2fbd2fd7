"""Forms for operators, venues, rooms, sports, staff, closing and importing. Every message is translated."""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import BooleanField, FieldList, FormField, HiddenField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import DateInput, TimeInput

from registry.common.fields import (
    ParsedField,
    RequiredChoice,
    SelectField,
    TextField,
    enum_coerce,
    enum_select_choices,
    optional_int,
    plain_decimal,
    required_input,
    text_validators,
)
from registry.common.forms import RegistryForm, RegistrySubform, VersionField
from registry.common.text import fold, parse_id
from registry.db import today_local
from registry.extensions import db
from registry.venues import validation as v
from registry.venues.models import (
    Operator,
    OperatorKind,
    QualificationType,
    StaffRole,
    VenueKind,
    VenueStatus,
)

MAX_ROWS = 300  # rooms or staff rows in one form


def _hhmm(value) -> str:
    return value.strftime("%H:%M")


def _in_past(field, *, earliest: date = date(1900, 1, 1)):
    if field.data is not None and not earliest <= field.data <= today_local():
        raise ValidationError(_("Enter a date between %(start)s and today.", start=earliest.strftime("%d/%m/%Y")))


# ----------------------------------------------------------------------------------------------- operators
class OperatorForm(RegistryForm):
    """Register or edit an operator (enterprise or household business)."""

    kind = SelectField(_l("Legal form"), coerce=enum_coerce(OperatorKind), validators=[RequiredChoice()])
    name = TextField(_l("Name"), validators=text_validators(255, is_required=True),
                     description=_l("As on the registration certificate."))
    registration_number = ParsedField(_l("Registration number"), validators=[required_input()],
                                      parse=v.parse_registration_number,
                                      description=_l("Enterprise code or household business certificate number."))
    registration_date = ParsedField(_l("Registration date"), parse=v.parse_date, fmt=date.isoformat,
                                    widget=DateInput())
    registration_issuer = TextField(_l("Issued by"), validators=text_validators(255))
    head_office = TextField(_l("Head office address"), validators=text_validators(500))
    legal_rep_name = TextField(_l("Legal representative"), validators=text_validators(200))
    legal_rep_id_number = ParsedField(_l("Representative's identity card number"), parse=v.parse_id_number)
    legal_rep_birth_date = ParsedField(_l("Representative's date of birth"), parse=v.parse_date,
                                       fmt=date.isoformat, widget=DateInput())
    security_person_name = TextField(_l("Person responsible for security and order"),
                                     validators=text_validators(200))
    security_person_phone = ParsedField(_l("Their phone"), parse=v.parse_phone)
    phone = ParsedField(_l("Phone"), parse=v.parse_phone)
    email = ParsedField(_l("E-mail"), parse=v.parse_email, max_chars=254)
    language = SelectField(_l("Language for letters"), choices=[SelectChoice("vi", "Tiếng Việt"),
                                                           SelectChoice("en", "English")])
    version_id = VersionField()

    def __init__(self, *args, operator_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._operator_id = operator_id
        self.kind.choices = enum_select_choices(OperatorKind, blank=_("Choose…"))

    def validate_registration_date(self, field):
        _in_past(field, earliest=date(1945, 1, 1))

    def validate_legal_rep_birth_date(self, field):
        if field.data is not None and not date(1900, 1, 1) <= field.data <= today_local() - timedelta(days=365 * 15):
            raise ValidationError(_("Enter a date of birth at least 15 years ago."))

    def validate_registration_number(self, field):
        if field.data is None:
            return
        found = db.session.execute(
            select(Operator.id, Operator.name).where(Operator.registration_number == field.data)).first()
        if found is not None and found.id != self._operator_id:
            raise ValidationError(_("Registration number %(number)s is already used by %(name)s.",
                                    number=field.data, name=found.name))


# ----------------------------------------------------------------------------------------------- rooms
class RoomRowForm(RegistrySubform):
    """One room line: code, area, in use; ``remove`` drops the room (its history is kept)."""

    room_id = HiddenField()
    code = ParsedField(_l("Room code"), parse=v.parse_room_code)
    area_m2 = ParsedField(_l("Area (m²)"), parse=v.parse_area, fmt=plain_decimal, render_kw={"inputmode": "decimal"})
    active = BooleanField(_l("In use"), default=True)
    remove = BooleanField(_l("Remove"))

    @property
    def is_blank(self) -> bool:
        return not self.room_id.data and not (self.code.raw_data or [""])[0].strip() and not (
            self.area_m2.raw_data or [""])[0].strip()


def check_room_rows(rows: FieldList, kind: VenueKind | None) -> list[dict]:
    """Validate room lines together (codes unique, code and area both given); returns the rooms to keep.

    Errors are attached to the fields of the offending line.

    :raises ValidationError: if any line is wrong, or rooms are given for a kind of venue that has none.
    """
    seen: dict[str, int] = {}
    keep, bad = [], False
    if len(rows.entries) > MAX_ROWS:
        raise ValidationError(_("At most %(n)d rooms can be entered at once.", n=MAX_ROWS))
    for index, entry in enumerate(rows.entries):
        row = entry.form
        if row.is_blank or row.remove.data:
            for f in row:
                f.errors = []  # a line being removed need not be valid
            continue
        if row.code.data is None and not row.code.errors:
            row.code.errors.append(_("Enter the room code."))
        if row.area_m2.data is None and not row.area_m2.errors:
            row.area_m2.errors.append(_("Enter the area."))
        if row.code.data is not None:
            key = fold(row.code.data)
            if key in seen:
                row.code.errors.append(_("Room code %(code)s is used twice.", code=row.code.data))
            seen[key] = index
        if row.code.errors or row.area_m2.errors:
            bad = True
            continue
        room_id = parse_id(row.room_id.data, max_digits=18)
        keep.append({"id": room_id, "code": row.code.data, "area_m2": row.area_m2.data,
                     "active": bool(row.active.data)})
    rows.errors = [e.errors for e in rows.entries] if any(e.errors for e in rows.entries) else []
    if bad:
        raise ValidationError(_("Check the rooms marked below."))
    if keep and kind is not None and not kind.has_rooms:
        raise ValidationError(_("Only karaoke and dance-hall venues have rooms. Remove the rooms or change "
                                "the kind of venue."))
    return keep


class RoomsForm(RegistryForm):
    """Edit the current rooms of a venue."""

    rooms = FieldList(FormField(RoomRowForm))
    version_id = VersionField()

    def __init__(self, *args, kind: VenueKind | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._kind = kind
        self.cleaned_rooms: list[dict] = []

    def validate_rooms(self, field):
        self.cleaned_rooms = check_room_rows(field, self._kind)


# ----------------------------------------------------------------------------------------------- venues
class VenueForm(RegistryForm):
    """Edit a venue's facts (rooms, sports and staff have their own forms)."""

    name = TextField(_l("Trading name"), validators=text_validators(255, is_required=True))
    kind = SelectField(_l("Kind of venue"), coerce=enum_coerce(VenueKind), validators=[RequiredChoice()])
    operator_number = ParsedField(_l("Operator's registration number"), validators=[required_input()],
                                  parse=v.parse_registration_number,
                                  description=_l("The operator must be registered first."))
    house_number = TextField(_l("House number"), validators=text_validators(50))
    street = TextField(_l("Street"), validators=text_validators(200))
    ward_id = SelectField(_l("Ward or commune"), coerce=optional_int, validators=[RequiredChoice()])
    latitude = ParsedField(_l("Latitude"), parse=lambda t: v.parse_coordinate(t, 90),
                           render_kw={"inputmode": "decimal"})
    longitude = ParsedField(_l("Longitude"), parse=lambda t: v.parse_coordinate(t, 180),
                            render_kw={"inputmode": "decimal"})
    phone = ParsedField(_l("Phone"), parse=v.parse_phone, render_kw={"inputmode": "tel"})
    capacity = ParsedField(_l("Capacity (people)"), parse=v.parse_capacity, render_kw={"inputmode": "numeric"})
    opens_at = ParsedField(_l("Opens at"), parse=v.parse_hhmm, fmt=_hhmm, widget=TimeInput())
    closes_at = ParsedField(_l("Closes at"), parse=v.parse_hhmm, fmt=_hhmm, widget=TimeInput(),
                            description=_l("A time earlier than the opening time means the next day."))
    status = SelectField(_l("Status"), coerce=enum_coerce(VenueStatus))
    notes = TextAreaField(_l("Notes"), validators=text_validators(5000), render_kw={"rows": 3})
    version_id = VersionField()

    def __init__(self, *args, ward_choices=(), current_operator_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._current_operator_id = current_operator_id
        self.kind.choices = enum_select_choices(VenueKind, blank=_("Choose…"))
        self.ward_id.choices = [SelectChoice("", _("Choose…"))] + list(ward_choices)
        self.status.choices = enum_select_choices(VenueStatus, [VenueStatus.OPERATING,
                                                                VenueStatus.TEMPORARILY_CLOSED])
        self.operator: Operator | None = None

    def validate_operator_number(self, field):
        if field.data is None:
            return
        self.operator = db.session.execute(
            select(Operator).where(Operator.registration_number == field.data)).scalar_one_or_none()
        if self.operator is None:
            raise ValidationError(_("No operator has registration number %(number)s. Register the operator "
                                    "first.", number=field.data))
        if self.operator.closed_on is not None and self.operator.id != self._current_operator_id:
            raise ValidationError(_("%(name)s is closed; a venue cannot be added to a closed operator.",
                                    name=self.operator.name))

    def validate_closes_at(self, field):
        try:
            v.check_hours(self.opens_at.data, field.data)
        except ValueError as exc:
            if not (self.opens_at.errors or field.errors):
                raise ValidationError(str(exc)) from exc

    def validate_longitude(self, field):
        if (self.latitude.data is None) != (field.data is None) and not self.latitude.errors:
            raise ValidationError(_("Give both latitude and longitude, or neither."))


class NewVenueForm(VenueForm):
    """Register a venue, with its rooms for karaoke and dance halls."""

    rooms = FieldList(FormField(RoomRowForm), min_entries=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cleaned_rooms: list[dict] = []

    def validate_rooms(self, field):
        self.cleaned_rooms = check_room_rows(field, self.kind.data)


class CloseForm(RegistryForm):
    """Close a venue or an operator on a date, with the reason."""

    closed_on = ParsedField(_l("Closed on"), validators=[required_input()], parse=v.parse_date,
                            fmt=date.isoformat, widget=DateInput())
    reason = TextAreaField(_l("Reason"), validators=text_validators(500, is_required=True), render_kw={"rows": 3})
    version_id = VersionField()

    def validate_closed_on(self, field):
        _in_past(field, earliest=date(1990, 1, 1))


class VersionOnlyForm(RegistryForm):
    """A button that changes state (reopen) and carries the version it was shown with."""

    version_id = VersionField()


# ----------------------------------------------------------------------------------------------- sports
class SportRowForm(RegistrySubform):
    """One catalogue sport: offered or not, with the two facts that change the staffing rules."""

    sport_id = HiddenField()
    offered = BooleanField(_l("Offered"))
    sells_instruction = BooleanField(_l("Sells instruction"))
    open_water = BooleanField(_l("Open water"))


class SportsForm(RegistryForm):
    """The sports a facility offers, picked from the catalogue."""

    sports = FieldList(FormField(SportRowForm))
    version_id = VersionField()

    def __init__(self, *args, catalogue_ids: set[int] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self._catalogue_ids = catalogue_ids
        self.cleaned_sports: list[dict] = []

    def validate_sports(self, field):
        chosen = []
        for entry in field.entries:
            row = entry.form
            if not row.offered.data:
                continue
            sport_id = parse_id(row.sport_id.data, max_digits=18)
            if sport_id not in self._catalogue_ids:
                raise ValidationError(_("Unknown sport; reload the page."))
            chosen.append({"sport_id": sport_id, "sells_instruction": bool(row.sells_instruction.data),
                           "open_water": bool(row.open_water.data)})
        self.cleaned_sports = chosen


# ----------------------------------------------------------------------------------------------- staff
QUALIFICATIONS_BY_ROLE = {
    StaffRole.INSTRUCTOR: (QualificationType.COACH_OR_ATHLETE, QualificationType.SPORTS_DEGREE,
                           QualificationType.TRAINING_CERTIFICATE),
    StaffRole.RESCUE: (QualificationType.RESCUE_CERTIFICATE,),
    StaffRole.MEDICAL: (QualificationType.MEDICAL_QUALIFICATION,),
}


class StaffRowForm(RegistrySubform):
    """One staff member with the qualification that entitles them to the role."""

    staff_id = HiddenField()
    full_name = TextField(_l("Full name"), validators=text_validators(200))
    role = SelectField(_l("Role"), coerce=enum_coerce(StaffRole))
    qualification = SelectField(_l("Qualification"), coerce=enum_coerce(QualificationType))
    document_number = TextField(_l("Certificate number"), validators=text_validators(80))
    sport_id = SelectField(_l("Sport"), coerce=optional_int)
    active = BooleanField(_l("Working"), default=True)
    remove = BooleanField(_l("Remove"))

    @property
    def is_blank(self) -> bool:
        return not self.staff_id.data and not self.full_name.data and not self.document_number.data


class StaffForm(RegistryForm):
    """Instructors, rescue and medical staff of a sports facility."""

    staff = FieldList(FormField(StaffRowForm))
    version_id = VersionField()

    def __init__(self, *args, sport_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.cleaned_staff: list[dict] = []
        for entry in self.staff.entries:
            set_staff_row_choices(entry.form, sport_choices)

    def validate_staff(self, field):
        if len(field.entries) > MAX_ROWS:
            raise ValidationError(_("At most %(n)d people can be entered at once.", n=MAX_ROWS))
        keep, bad = [], False
        for entry in field.entries:
            row = entry.form
            if row.is_blank or row.remove.data:
                for f in row:
                    f.errors = []  # a line being removed need not be valid
                continue
            if row.full_name.data is None and not row.full_name.errors:
                row.full_name.errors.append(_("Enter the person's name."))
            if row.role.data is None and not row.role.errors:
                row.role.errors.append(_("Choose one of the options."))
            if row.qualification.data is None and not row.qualification.errors:
                row.qualification.errors.append(_("Choose one of the options."))
            elif row.role.data is not None and row.qualification.data not in QUALIFICATIONS_BY_ROLE[row.role.data]:
                row.qualification.errors.append(_("This qualification does not entitle someone to this role."))
            if any(f.errors for f in row):
                bad = True
                continue
            staff_id = parse_id(row.staff_id.data, max_digits=18)
            keep.append({"id": staff_id, "full_name": row.full_name.data, "role": row.role.data,
                         "qualification": row.qualification.data, "document_number": row.document_number.data,
                         "sport_id": row.sport_id.data, "active": bool(row.active.data)})
        field.errors = [e.errors for e in field.entries] if any(e.errors for e in field.entries) else []
        if bad:
            raise ValidationError(_("Check the people marked below."))
        self.cleaned_staff = keep


def set_staff_row_choices(row: StaffRowForm, sport_choices) -> None:
    """Fill the selects of one staff line (also used for the blank template line)."""
    row.role.choices = enum_select_choices(StaffRole, blank=_("Choose…"))
    row.qualification.choices = enum_select_choices(QualificationType, blank=_("Choose…"))
    row.sport_id.choices = [SelectChoice("", _("Any / not specific"))] + list(sport_choices)


# ----------------------------------------------------------------------------------------------- import
class ImportForm(RegistryForm):
    """Upload a CSV or XLSX file of venues to preview."""

    file = FileField(_l("File (CSV or XLSX)"), render_kw={"accept": ".csv,.xlsx,text/csv"})

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise StopValidation(_("Choose a file to upload."))


class ImportCommitForm(RegistryForm):
    """Commit a previewed import (the file stays on the server under a random name)."""

    token = HiddenField()

