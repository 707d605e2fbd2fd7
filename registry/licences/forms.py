"""Forms of the licensing desk: new application, dossier steps, payment, decision and licence measures.

Every field validates on the server with a translated message next to it; rules that need the database or the
state of the application are checked by the services, whose errors the views attach to the named field.
"""
from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FieldList, FormField, HiddenField, SelectMultipleField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, DateInput, ListWidget

from registry.common.fields import (
    ParsedField,
    RequiredChoice,
    TextField,
    enum_coerce,
    enum_select_choices,
    optional_int,
    options,
    required,
    required_input,
    text_validators,
)
from registry.common.forms import RegistryForm, RegistrySubform, VersionField
from registry.common.text import is_ascii_number
from registry.db import today_local
from registry.licences.fields import Select
from registry.licences.models import ApplicationKind, Channel, PrerequisiteKind, SanctionKind
from registry.venues import validation as v

MAX_VND = 10**12
_VND_GROUPED = re.compile(r"^\d{1,3}(?:([., ])\d{3})(?:\1\d{3})*$")
LOCATION_CHANGE = "adjust_location"


def parse_vnd(text: str) -> int:
    """An amount of money in whole đồng: "12000000", "12.000.000", "12,000,000" or "12 000 000 ₫"."""
    value = text.strip().replace("₫", "").replace("đ", "").replace("VND", "").strip()
    if _VND_GROUPED.match(value):
        value = re.sub(r"[., ]", "", value)
    if not is_ascii_number(value):
        raise ValueError(_("Enter the amount in whole đồng, e.g. 12.000.000."))
    amount = int(value)
    if amount <= 0 or amount >= MAX_VND:
        raise ValueError(_("Enter an amount above 0 đồng."))
    return amount


def date_field(label, *, is_required: bool = True, description=None) -> ParsedField:
    return ParsedField(label, validators=[required_input()] if is_required else [], parse=v.parse_date,
                       fmt=date.isoformat, widget=DateInput(), description=description)


def not_future(form, field):
    if field.data is not None and field.data > today_local():
        raise ValidationError(_("This date cannot be in the future."))


def not_before_2000(form, field):
    if field.data is not None and field.data < date(2000, 1, 1):
        raise ValidationError(_("Enter a date from 2000 on."))


class MultiCheckbox(SelectMultipleField):
    """A list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# ------------------------------------------------------------------------------------------------ intake
class AddRoomRow(RegistrySubform):
    """A room an adjustment adds."""

    code = ParsedField(_l("Room code"), parse=v.parse_room_code)
    area_m2 = ParsedField(_l("Area (m²)"), parse=v.parse_area, render_kw={"inputmode": "decimal"})

    @property
    def is_blank(self) -> bool:
        return not (self.code.raw_data or [""])[0].strip() and not (self.area_m2.raw_data or [""])[0].strip()


def kind_choices():
    return enum_select_choices(ApplicationKind) + options([(LOCATION_CHANGE,
                                                            _l("Adjustment: change of business location"))])


class ApplicationForm(RegistryForm):
    """Take in a dossier for a venue chosen on the previous step."""

    venue_id = HiddenField()
    licence_type_id = Select(_l("Licence type"), coerce=optional_int, validators=[RequiredChoice()])
    kind = Select(_l("Procedure"), choices=kind_choices, validators=[RequiredChoice()])
    channel = Select(_l("Channel"), coerce=enum_coerce(Channel), choices=lambda: enum_select_choices(Channel),
                     validators=[RequiredChoice()])
    received_on = date_field(_l("Date received"))
    subject_licence_id = Select(_l("Licence concerned"), coerce=optional_int,
                                description=_l("For an adjustment, copy, renewal or sports change."))
    operator_registration = TextField(_l("New owner's registration number"),
                                      validators=text_validators(40),
                                      description=_l("For a change of owner: the enterprise code or household "
                                                     "business number of the new owner, already in the register."))
    add_rooms = FieldList(FormField(AddRoomRow), min_entries=2, max_entries=50)
    remove_rooms = MultiCheckbox(_l("Rooms to remove"), choices=[])
    add_sports = SelectMultipleField(_l("Sports to add"), coerce=int, choices=[])
    add_sports_instruction = BooleanField(_l("Instruction is sold for the added sports"))
    remove_sports = MultiCheckbox(_l("Sports to remove"), coerce=int, choices=[])
    event_name = TextField(_l("Event"), validators=text_validators(255))
    event_starts_on = date_field(_l("Event starts on"), is_required=False)
    event_ends_on = date_field(_l("Event ends on"), is_required=False)
    notes = TextAreaField(_l("Notes"), validators=text_validators(4000))

    def validate_received_on(self, field):
        not_future(self, field)
        not_before_2000(self, field)

    def validate_add_rooms(self, field):
        self.cleaned_add_rooms = []
        seen = set()
        for entry in field.entries:
            row = entry.form
            if row.is_blank:
                for f in row:
                    f.errors = []
                continue
            if row.code.data is None and not row.code.errors:
                row.code.errors.append(_("Enter the room code."))
            if row.area_m2.data is None and not row.area_m2.errors:
                row.area_m2.errors.append(_("Enter the area."))
            if row.code.data is not None and row.code.data.casefold() in seen:
                row.code.errors.append(_("Room code %(code)s is used twice.", code=row.code.data))
            if row.code.errors or row.area_m2.errors:
                continue
            seen.add(row.code.data.casefold())
            self.cleaned_add_rooms.append({"code": row.code.data, "area_m2": str(row.area_m2.data)})
        if any(f.errors for e in field.entries for f in e.form):
            raise ValidationError(_("Check the rooms marked below."))


# ------------------------------------------------------------------------------------------------ dossier steps
class TransitionForm(RegistryForm):
    """Move the dossier to its next status."""

    to = HiddenField()
    on = date_field(_l("Date"), description=_l("The day it happened (the day the papers arrived restarts the "
                                               "legal clock)."))
    reason = TextAreaField(_l("Reason"), validators=text_validators(4000))
    version_id = VersionField()

    def validate_on(self, field):
        not_future(self, field)


class DecisionForm(RegistryForm):
    """A manager approves or refuses."""

    decision = Select(_l("Decision"), choices=options([("", _l("Choose…")), ("approve", _l("Approve and issue")),
                                                        ("refuse", _l("Refuse"))]), validators=[RequiredChoice()])
    on = date_field(_l("Date of the decision"))
    reason = TextAreaField(_l("Reasons"), validators=text_validators(4000),
                           description=_l("Required for a refusal; sent to the applicant."))
    version_id = VersionField()

    def validate_on(self, field):
        not_future(self, field)


class PrerequisiteForm(RegistryForm):
    """A certificate from another agency (police, fire police, business registry)."""

    kind = Select(_l("Document"), coerce=enum_coerce(PrerequisiteKind),
                  choices=lambda: enum_select_choices(PrerequisiteKind, blank=_("Choose…")),
                  validators=[RequiredChoice()])
    number = TextField(_l("Number"), validators=text_validators(80, is_required=True))
    issued_on = date_field(_l("Issued on"))
    issuer = TextField(_l("Issued by"), validators=text_validators(255, is_required=True),
                       description=_l("E.g. Phòng Cảnh sát PCCC và CNCH – Công an thành phố Hải Phòng."))
    expires_on = date_field(_l("Valid until"), is_required=False, description=_l("Leave empty if it has no expiry."))
    notes = TextAreaField(_l("Notes"), validators=text_validators(2000))

    def validate_issued_on(self, field):
        not_future(self, field)
        not_before_2000(self, field)

    def validate_expires_on(self, field):
        if field.data is not None and self.issued_on.data is not None and field.data < self.issued_on.data:
            raise ValidationError(_("A document cannot expire before it was issued."))


class ChecklistForm(RegistryForm):
    """Which papers of the dossier were handed in."""

    items = MultiCheckbox(_l("Papers received"), choices=[])
    version_id = VersionField()


TRI_STATE = options([("", _l("Not checked yet")), ("yes", _l("Yes")), ("no", _l("No"))])


def tri_state(value):
    return {"yes": True, "no": False}.get(value) if isinstance(value, str) else value


class AppraisalForm(RegistryForm):
    """Findings of the on-site appraisal."""

    appraised_on = date_field(_l("Appraised on"))
    no_inner_latch = Select(_l("No latch inside the rooms"), choices=TRI_STATE)
    no_non_fire_alarm = Select(_l("No alarm devices other than fire alarms"), choices=TRI_STATE)
    notes = TextAreaField(_l("Findings"), validators=text_validators(4000))
    version_id = VersionField()

    def validate_appraised_on(self, field):
        not_future(self, field)


class RoomAreaRow(RegistrySubform):
    room_id = HiddenField()
    area_m2 = ParsedField(_l("Area (m²)"), validators=[required_input()], parse=v.parse_area,
                          render_kw={"inputmode": "decimal"})


class RoomAreasForm(RegistryForm):
    """Room areas as measured at appraisal."""

    rooms = FieldList(FormField(RoomAreaRow), max_entries=300)
    version_id = VersionField()


class PaymentForm(RegistryForm):
    """A fee payment, with its receipt."""

    receipt_number = TextField(_l("Receipt number"), validators=text_validators(60, is_required=True))
    paid_on = date_field(_l("Paid on"))
    amount = ParsedField(_l("Amount (đồng)"), validators=[required_input()], parse=parse_vnd,
                         fmt=lambda n: f"{n:,}".replace(",", "."), render_kw={"inputmode": "numeric"})

    def validate_paid_on(self, field):
        not_future(self, field)


class AssignForm(RegistryForm):
    officer_id = Select(_l("Officer"), coerce=optional_int, validators=[RequiredChoice()])


class FeeForm(RegistryForm):
    """Recalculate the fee (no fields: the button is the form)."""

    version_id = VersionField()


# ------------------------------------------------------------------------------------------------ licences
class SuspendForm(RegistryForm):
    kind = Select(_l("Suspended by"), coerce=enum_coerce(SanctionKind),
                  choices=options([
                      (SanctionKind.SUSPENSION.value, _l("The issuing authority (suspension notice)")),
                      (SanctionKind.AGENCY_SUSPENSION.value, _l("Another agency (e.g. the fire police)"))]),
                  validators=[RequiredChoice()])
    starts_on = date_field(_l("From"))
    ends_on = date_field(_l("Until"), is_required=False, description=_l("Leave empty until it is lifted."))
    reason = TextAreaField(_l("Reason"), validators=[required(), *text_validators(4000)])
    document_number = TextField(_l("Document number"), validators=text_validators(80))
    issuing_body = TextField(_l("Issuing body"), validators=text_validators(255),
                             description=_l("Required when another agency imposed it."))
    version_id = VersionField()

    def validate_ends_on(self, field):
        if field.data is not None and self.starts_on.data is not None and field.data < self.starts_on.data:
            raise ValidationError(_("A suspension cannot end before it starts."))


class LiftForm(RegistryForm):
    lifted_on = date_field(_l("Lifted on"))
    reason = TextAreaField(_l("Reason"), validators=text_validators(4000))
    version_id = VersionField()


class RevokeForm(RegistryForm):
    on = date_field(_l("Revoked on"))
    reason = TextAreaField(_l("Reason"), validators=[required(), *text_validators(4000)])
    document_number = TextField(_l("Decision number"), validators=text_validators(80))
    issuing_body = TextField(_l("Decided by"), validators=text_validators(255))
    version_id = VersionField()


CESSATION_REASONS = [("", _l("Choose…")), ("surrender", _l("Licence surrendered by the holder")),
                     ("closure", _l("Business closed")), ("other", _l("Other"))]
CESSATION_OPTIONS = options(CESSATION_REASONS)


class CeaseForm(RegistryForm):
    on = date_field(_l("Ceased on"))
    cause = Select(_l("Why"), choices=CESSATION_OPTIONS, validators=[RequiredChoice()])
    reason = TextAreaField(_l("Details"), validators=text_validators(4000))
    document_number = TextField(_l("Document number"), validators=text_validators(80))
    version_id = VersionField()
