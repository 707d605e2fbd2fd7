"""Forms of the configuration area: licence types, fee schedules and rules, holidays, authorities and signers,
protected sites. JSON settings are parsed and checked on the server; every message sits next to its field."""
from __future__ import annotations

import json

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, TextAreaField
from wtforms.validators import ValidationError

from registry.common.fields import (
    ParsedField,
    RequiredChoice,
    TextField,
    enum_coerce,
    enum_select_choices,
    optional_int,
    options,
    required_input,
    text_validators,
)
from registry.common.forms import RegistryForm, VersionField
from registry.common.text import is_ascii_number
from registry.licences.fields import Select
from registry.licences.forms import date_field, parse_vnd
from registry.licences.models import (
    ApplicationKind,
    FeeUnit,
    LicenceCategory,
    ProtectedSiteKind,
    category_label,
    fee_unit_label,
)
from registry.licences.rules import validate_rules
from registry.reference.models import DayKind, FeeTier
from registry.venues import validation as v

JSON_INPUT = {"rows": 18, "spellcheck": "false", "autocapitalize": "none"}
TEXT_AREA = {"rows": 4}


def category_choices():
    return options([("", _("Choose…"))] + [(c.value, category_label(c)) for c in LicenceCategory])


def parse_whole(low: int, high: int):
    """A parser for a whole number between ``low`` and ``high``."""

    def parse(text: str) -> int:
        value = text.strip()
        if not is_ascii_number(value.removeprefix("-")) or not low <= int(value) <= high:
            raise ValueError(_("Enter a whole number from %(low)d to %(high)d.", low=low, high=high))
        return int(value)

    return parse


def whole(label, low: int, high: int, *, is_required: bool = True, description=None) -> ParsedField:
    return ParsedField(label, validators=[required_input()] if is_required else [], parse=parse_whole(low, high),
                       render_kw={"inputmode": "numeric"}, description=description)


def money(label, *, is_required: bool = False, description=None) -> ParsedField:
    def parse(text: str) -> int:
        return 0 if text.strip() == "0" else parse_vnd(text)

    return ParsedField(label, validators=[required_input()] if is_required else [], parse=parse,
                       fmt=lambda n: f"{n:,}".replace(",", "."), render_kw={"inputmode": "numeric"},
                       description=description)


def _json_list(field, check_item) -> None:
    try:
        data = json.loads(field.data or "[]")
    except json.JSONDecodeError as exc:
        raise ValidationError(_("This is not valid JSON (line %(line)d, column %(col)d).", line=exc.lineno,
                                col=exc.colno)) from exc
    if not isinstance(data, list):
        raise ValidationError(_("Enter a JSON list: [ … ]."))
    for n, item in enumerate(data, 1):
        problem = check_item(item)
        if problem:
            raise ValidationError(_("Item %(n)d: %(problem)s", n=n, problem=problem))
    field.parsed = data


def _document_item(item) -> str | None:
    from registry.licences.models import PrerequisiteKind

    if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not item["key"]:
        return _("each item needs a \"key\".")
    if item.get("kind") is not None and item["kind"] not in {k.value for k in PrerequisiteKind}:
        return _("unknown document kind %(kind)s.", kind=item["kind"])
    if not isinstance(item.get("vi"), str) or not isinstance(item.get("en"), str):
        return _("each item needs \"vi\" and \"en\" texts.")
    return None


def _condition_item(item) -> str | None:
    if not isinstance(item, dict) or not isinstance(item.get("vi"), str) or not isinstance(item.get("en"), str):
        return _("each condition needs \"vi\" and \"en\" texts.")
    return None


class LicenceTypeForm(RegistryForm):
    """A licence type: names, number symbol, issuer and signer, term, processing time, documents, rules."""

    code = TextField(_l("Code"), validators=text_validators(40, is_required=True),
                     description=_l("Stable identifier, e.g. HP-KARAOKE. It cannot be changed later."))
    category = Select(_l("Category"), coerce=enum_coerce(LicenceCategory), choices=lambda: category_choices(),
                      validators=[RequiredChoice()])
    name_vi = TextField(_l("Name (Vietnamese)"), validators=text_validators(200, is_required=True))
    name_en = TextField(_l("Name (English)"), validators=text_validators(200, is_required=True))
    title_vi = TextField(_l("Printed title (Vietnamese)"), validators=text_validators(300, is_required=True))
    title_en = TextField(_l("Printed title (English)"), validators=text_validators(300, is_required=True))
    symbol = ParsedField(_l("Number symbol"), validators=[required_input()], parse=lambda t: _symbol(t),
                         description=_l("Printed after the number, e.g. GP-SVHTT gives 15/GP-SVHTT."))
    authority_id = Select(_l("Issuing authority"), coerce=optional_int, validators=[RequiredChoice()])
    default_signer_id = Select(_l("Default signer"), coerce=optional_int)
    term_months = whole(_l("Validity term (months)"), 1, 600, is_required=False,
                        description=_l("Leave empty when the licence has no expiry (Vietnamese business licences). "
                                       "Event permits take the event's dates."))
    grace_days = whole(_l("Grace period (days)"), 0, 365,
                       description=_l("Days after the expiry date before the licence is marked expired."))
    processing_days = whole(_l("Processing time, new licence (working days)"), 1, 120)
    adjustment_processing_days = whole(_l("Processing time, adjustment or copy (working days)"), 1, 120)
    procedure_code = TextField(_l("National procedure code"), validators=text_validators(40))
    legal_basis_vi = TextAreaField(_l("Legal basis (Vietnamese, one “Căn cứ …” per line)"),
                                   validators=text_validators(4000), render_kw=TEXT_AREA)
    legal_basis_en = TextAreaField(_l("Legal basis (English)"), validators=text_validators(4000), render_kw=TEXT_AREA)
    required_documents_json = TextAreaField(_l("Dossier checklist (JSON)"), validators=text_validators(20000),
                                            render_kw=JSON_INPUT,
                                            description=_l("[{\"key\": \"fire_safety\", \"kind\": \"fire_safety\", "
                                                           "\"vi\": \"…\", \"en\": \"…\"}] — kind links an item to "
                                                           "the venue's certificates; null for other papers."))
    rules_json = TextAreaField(_l("Eligibility rules (JSON)"), validators=text_validators(20000), render_kw=JSON_INPUT,
                               description=_l("[{\"kind\": \"min_room_area\", \"params\": {\"min_m2\": \"20\"}, "
                                              "\"title_vi\", \"title_en\", \"legal_basis_vi\", \"legal_basis_en\", "
                                              "\"on_missing\": \"block\"}]"))
    conditions_json = TextAreaField(_l("Conditions printed on the licence (JSON)"), validators=text_validators(20000),
                                    render_kw={**JSON_INPUT, "rows": 10},
                                    description=_l("[{\"vi\": \"…\", \"en\": \"…\"}]"))
    eligibility_note_vi = TextAreaField(_l("Note shown with the eligibility check (Vietnamese)"),
                                        validators=text_validators(4000), render_kw=TEXT_AREA)
    eligibility_note_en = TextAreaField(_l("Note shown with the eligibility check (English)"),
                                        validators=text_validators(4000), render_kw=TEXT_AREA)
    active = BooleanField(_l("Issued now (offered for new applications)"))
    version_id = VersionField()

    def validate_required_documents_json(self, field):
        _json_list(field, _document_item)

    def validate_conditions_json(self, field):
        _json_list(field, _condition_item)

    def validate_rules_json(self, field):
        _json_list(field, lambda item: None)
        problems = validate_rules(field.parsed)
        if problems:
            raise ValidationError(" ".join(problems))


def _symbol(text: str) -> str:
    value = text.strip().upper()
    if not value or len(value) > 30 or not all(c.isalnum() or c in "-." for c in value) or not value.isascii():
        raise ValueError(_("Use up to 30 capital letters, digits, dashes or dots, e.g. GP-SVHTT."))
    return value


class FeeScheduleForm(RegistryForm):
    """A fee schedule: its legal basis and the dates it is in force."""

    code = TextField(_l("Code"), validators=text_validators(60, is_required=True))
    name_vi = TextField(_l("Name (Vietnamese)"), validators=text_validators(300, is_required=True))
    name_en = TextField(_l("Name (English)"), validators=text_validators(300, is_required=True))
    legal_basis_vi = TextAreaField(_l("Legal basis (Vietnamese)"), validators=text_validators(4000))
    legal_basis_en = TextAreaField(_l("Legal basis (English)"), validators=text_validators(4000))
    effective_from = date_field(_l("In force from"))
    effective_to = date_field(_l("In force until"), is_required=False,
                              description=_l("Leave empty while in force. To change amounts, end this schedule the "
                                             "day before and add a new one: recorded fees never change."))
    verified = BooleanField(_l("Amounts checked against the official text"))
    note = TextAreaField(_l("Note"), validators=text_validators(4000))
    version_id = VersionField()

    def validate_effective_to(self, field):
        if field.data is not None and self.effective_from.data is not None and field.data < self.effective_from.data:
            raise ValidationError(_("The end cannot be before the start."))


class FeeRuleForm(RegistryForm):
    """One line of a schedule: amount, optionally per room or sport within a band, optionally capped."""

    category = Select(_l("Licence category"), coerce=enum_coerce(LicenceCategory), choices=lambda: category_choices(),
                      validators=[RequiredChoice()])
    kind = Select(_l("Procedure"), coerce=enum_coerce(ApplicationKind),
                  choices=lambda: enum_select_choices(ApplicationKind, blank=_("Choose…")),
                  validators=[RequiredChoice()])
    tier = Select(_l("Area tier"), coerce=enum_coerce(FeeTier),
                  choices=lambda: options([("", _("Any area")), (FeeTier.CITY.value, _("Centrally-run city (CITY)")),
                                           (FeeTier.OTHER.value, _("Other areas (OTHER)"))]))
    unit = Select(_l("Counts"), coerce=enum_coerce(FeeUnit),
                  choices=lambda: options([(u.value, fee_unit_label(u)) for u in FeeUnit]),
                  validators=[RequiredChoice()])
    min_units = whole(_l("From (units)"), 0, 1000, is_required=False)
    max_units = whole(_l("To (units)"), 0, 1000, is_required=False, description=_l("Empty: no upper limit."))
    amount = money(_l("Flat amount (đồng)"))
    per_unit = money(_l("Amount per unit (đồng)"))
    cap = money(_l("Cap (đồng)"), description=_l("Empty: no cap."))
    label_vi = TextField(_l("Label (Vietnamese)"), validators=text_validators(300, is_required=True))
    label_en = TextField(_l("Label (English)"), validators=text_validators(300, is_required=True))
    verified = BooleanField(_l("Checked against the official text"))
    note = TextAreaField(_l("Note"), validators=text_validators(2000))
    version_id = VersionField()

    def validate_max_units(self, field):
        if field.data is not None and self.min_units.data is not None and field.data < self.min_units.data:
            raise ValidationError(_("“To” cannot be below “From”."))

    def validate_amount(self, field):
        if not (field.data or 0) and not (self.per_unit.data or 0):
            raise ValidationError(_("Give a flat amount, an amount per unit, or both."))


class HolidayForm(RegistryForm):
    """A day of the working-day calendar: a public holiday, or a weekend day made a working day."""

    day = date_field(_l("Day"))
    kind = Select(_l("Kind"), coerce=enum_coerce(DayKind),
                  choices=lambda: options([
                      (DayKind.HOLIDAY.value, _("Holiday (no work)")),
                      (DayKind.WORKING_DAY.value, _("Make-up working day (a Saturday or Sunday)"))]),
                  validators=[RequiredChoice()])
    name_vi = TextField(_l("Name (Vietnamese)"), validators=text_validators(200, is_required=True))
    name_en = TextField(_l("Name (English)"), validators=text_validators(200, is_required=True))
    verified = BooleanField(_l("Confirmed by the official announcement"))

    def validate_kind(self, field):
        if field.data == DayKind.WORKING_DAY and self.day.data is not None and self.day.data.weekday() < 5:
            raise ValidationError(_("A make-up working day is a Saturday or a Sunday."))


class AuthorityForm(RegistryForm):
    """An issuing authority as printed in the document header."""

    code = TextField(_l("Code"), validators=text_validators(40, is_required=True))
    parent_body = TextField(_l("Parent body (printed above, Vietnamese)"), validators=text_validators(200))
    parent_body_en = TextField(_l("Parent body (English)"), validators=text_validators(200))
    name = TextField(_l("Name (Vietnamese, as printed)"), validators=text_validators(200, is_required=True))
    name_en = TextField(_l("Name (English)"), validators=text_validators(200, is_required=True))
    abbreviation = TextField(_l("Abbreviation"), validators=text_validators(20, is_required=True))
    place_name = TextField(_l("Place name on documents"), validators=text_validators(80, is_required=True),
                           description=_l("As in “Hải Phòng, ngày … tháng … năm …”."))
    valid_from = date_field(_l("Issues from"), is_required=False)
    valid_to = date_field(_l("Issues until"), is_required=False)
    active = BooleanField(_l("Active"))


class SignerForm(RegistryForm):
    """A person who signs for an authority, with the signing prefix (KT., TL., Q., TM.)."""

    authority_id = Select(_l("Authority"), coerce=optional_int, validators=[RequiredChoice()])
    full_name = TextField(_l("Full name"), validators=text_validators(200, is_required=True))
    prefix = TextField(_l("Prefix (Vietnamese)"), validators=text_validators(80),
                       description=_l("E.g. KT. GIÁM ĐỐC. Empty when the head signs."))
    prefix_en = TextField(_l("Prefix (English)"), validators=text_validators(80))
    position = TextField(_l("Position (Vietnamese)"), validators=text_validators(120, is_required=True))
    position_en = TextField(_l("Position (English)"), validators=text_validators(120, is_required=True))
    active = BooleanField(_l("Active"))


class ProtectedSiteForm(RegistryForm):
    """A school, hospital, religious site or relic with its coordinates."""

    name = TextField(_l("Name"), validators=text_validators(255, is_required=True))
    kind = Select(_l("Kind"), coerce=enum_coerce(ProtectedSiteKind),
                  choices=lambda: enum_select_choices(ProtectedSiteKind, blank=_("Choose…")),
                  validators=[RequiredChoice()])
    address = TextField(_l("Address"), validators=text_validators(500))
    latitude = ParsedField(_l("Latitude"), validators=[required_input()], parse=lambda t: v.parse_coordinate(t, 90),
                           render_kw={"inputmode": "decimal"}, description=_l("Decimal degrees, e.g. 20.844912."))
    longitude = ParsedField(_l("Longitude"), validators=[required_input()],
                            parse=lambda t: v.parse_coordinate(t, 180), render_kw={"inputmode": "decimal"},
                            description=_l("Decimal degrees, e.g. 106.688084."))
    active = BooleanField(_l("Counted in the distance rule"))
    verified = BooleanField(_l("Position checked on a map"))
    source = TextField(_l("Source"), validators=text_validators(300))
    version_id = VersionField()


class DeleteForm(RegistryForm):
    """A confirmation button."""
