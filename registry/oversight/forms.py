"""Forms of the dashboard, reminders and reports. Filter forms are GET forms (no CSRF token: they change nothing);
every value is validated, and a bad one shows a message next to its field instead of failing the page."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import DateField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from registry.common.forms import RegistryForm
from registry.common.text import is_ascii_number
from registry.oversight.queries import WINDOWS
from registry.oversight.sources import DueFilters


def optional_int(value):
    """Coerce a select value: "" or None is "any", digits an id; anything else is refused by the field."""
    if value in (None, "", "None"):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not is_ascii_number(text) or len(text) > 12:
        raise ValueError("not an id")
    return int(text)


def optional_text(value):
    return None if value in (None, "", "None") else str(value)


def options_html(field) -> Markup:
    """The ``<option>`` elements of a filter select (with ``<optgroup>`` from ``SelectChoice.optgroup``), written in
    Python: the ward list alone has ~150 options and this form tops the manager's home page."""
    current = "" if field.data is None or field.errors else str(field.data)
    parts, group = [], None
    for choice in field.choices:
        if choice.optgroup != group:
            if group is not None:
                parts.append("</optgroup>")
            if choice.optgroup is not None:
                parts.append(f'<optgroup label="{escape(choice.optgroup)}">')
            group = choice.optgroup
        selected = " selected" if str(choice.value) == current else ""
        parts.append(f'<option value="{escape(choice.value)}"{selected}>{escape(choice.label)}</option>')
    if group is not None:
        parts.append("</optgroup>")
    return Markup("".join(parts))  # noqa: S704 (every value and label is escaped above)


def _options(blank, pairs) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [SelectChoice(value, text) for value, text in pairs]


class GetForm(RegistryForm):
    """A form read from the query string."""

    class Meta:
        csrf = False


class DueFilterForm(GetForm):
    """District / ward / venue kind / licence type / officer filters, and which items in which window."""

    district = SelectField(_l("District"), coerce=optional_int, validators=[Optional()])
    ward = SelectField(_l("Ward or commune"), coerce=optional_int, validators=[Optional()])
    kind = SelectField(_l("Venue kind"), coerce=optional_text, validators=[Optional()])
    type = SelectField(_l("Licence type"), coerce=optional_int, validators=[Optional()])
    officer = SelectField(_l("Responsible officer"), coerce=optional_int, validators=[Optional()])
    what = SelectField(_l("What"), coerce=optional_text, validators=[Optional()])
    window = SelectField(_l("When"), coerce=optional_text, validators=[Optional()], default="due30")

    def __init__(self, formdata, *, choices: dict, sources: list, **kw):
        super().__init__(formdata, **kw)
        self.district.choices = _options(_l("All districts"), choices["districts"])
        new_wards = str(_l("Wards and communes since 1 July 2025"))
        self.ward.choices = [SelectChoice("", _l("All wards and communes"))] + [
            SelectChoice(ward_id, name, optgroup=district or new_wards) for ward_id, name, district in choices["wards"]]
        self.kind.choices = _options(_l("All venue kinds"), choices["kinds"])
        self.type.choices = _options(_l("All licence types"), choices["types"])
        self.officer.choices = _options(_l("Any officer"), choices["officers"])
        self.what.choices = _options(_l("All"), [(s.key, s.label) for s in sources])
        self.window.choices = [SelectChoice(k, WINDOW_LABELS[k]) for k in WINDOWS]

    def filters(self) -> DueFilters:
        """The valid filters (a field with an error counts as "any")."""

        def ok(field):
            return None if field.errors else field.data

        return DueFilters(district_id=ok(self.district), ward_id=ok(self.ward), venue_kind=ok(self.kind),
                          licence_type_id=ok(self.type), officer_id=ok(self.officer))

    def chosen_kinds(self) -> list[str] | None:
        return [self.what.data] if self.what.data and not self.what.errors else None

    def chosen_window(self) -> str:
        return self.window.data if self.window.data in WINDOWS and not self.window.errors else "due30"

    @property
    def active_count(self) -> int:
        return sum(1 for v in self.filters().as_args().values() if v is not None)


WINDOW_LABELS = {
    "due30": _l("Overdue and due within 30 days"),
    "overdue": _l("Overdue"),
    "30": _l("Due within 30 days"),
    "60": _l("Due within 60 days"),
    "90": _l("Due within 90 days"),
    "due90": _l("Overdue and due within 90 days"),
}


class ReminderForm(GetForm):
    """Horizon and channel of a reminder preview (GET) — the send form posts the same fields."""

    horizon = IntegerField(_l("Horizon (days ahead)"), default=30,
                           validators=[InputRequired(), NumberRange(min=0, max=366,
                                                                    message=_l("Between 0 and 366 days."))])
    channel = SelectField(_l("Send by"), default="email", choices=[
        SelectChoice("email", _l("E-mail (operators with an address)")),
        SelectChoice("auto", _l("E-mail, and a printed letter for operators without an address")),
        SelectChoice("letter", _l("Printed letters for everyone"))])


class ReminderSendForm(RegistryForm):
    """The POST that sends (CSRF-protected)."""

    horizon = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=366,
                                                                    message=_l("Between 0 and 366 days."))])
    channel = SelectField(choices=[SelectChoice("email"), SelectChoice("auto"), SelectChoice("letter")])


class ApplyRulesForm(RegistryForm):
    """A button: apply the consequence rules now."""


class _PeriodMixin:
    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end must not be before the start."))
        if field.data and self.start.data and (field.data - self.start.data).days > 3660:
            raise ValidationError(_l("Choose a period of at most ten years."))


def _date_range(field):
    if field.data and not date(2000, 1, 1) <= field.data <= date(2100, 12, 31):
        raise ValidationError(_l("Choose a date between 2000 and 2100."))


class RegisterReportForm(GetForm):
    """The register of licences on a given date."""

    on = DateField(_l("On"), validators=[Optional()])
    group = SelectField(_l("Group by"), default="status", choices=[
        SelectChoice("status", _l("Status")), SelectChoice("kind", _l("Kind")),
        SelectChoice("district", _l("District"))])

    def validate_on(self, field):
        _date_range(field)


class PeriodForm(_PeriodMixin, GetForm):
    """A period [start, end] and, for series, the step."""

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    step = SelectField(_l("Per"), default="month", choices=[
        SelectChoice("month", _l("Month")), SelectChoice("quarter", _l("Quarter")), SelectChoice("year", _l("Year"))])

    def validate_start(self, field):
        _date_range(field)


class YearsForm(GetForm):
    """A range of years (renewals per year)."""

    first = IntegerField(_l("From year"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    last = IntegerField(_l("To year"), validators=[Optional(), NumberRange(min=2000, max=2100)])

    def validate_last(self, field):
        if field.data and self.first.data and field.data < self.first.data:
            raise ValidationError(_l("The last year must not be before the first."))
        if field.data and self.first.data and field.data - self.first.data > 30:
            raise ValidationError(_l("Choose at most 30 years."))
