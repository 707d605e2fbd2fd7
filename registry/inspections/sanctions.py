"""What follows a second operating-duty violation: the licence suspended and the notice issued (Decree 54/2019
Art. 15(1)(b)). The licences and documents features are optional here. Flushes (through them); never commits.
"""
from __future__ import annotations

from flask_babel import gettext as _

from registry.common.modules import import_optional
from registry.db import today_local
from registry.inspections import queries
from registry.inspections.violations import SuspensionPrompt


class SuspensionUnavailable(LookupError):
    """The licences feature, which suspends licences, is not installed."""


def suspend_for_duty_violations(prompt: SuspensionPrompt, *, by):
    """Suspend the prompt's licence from today, citing the minutes of the violations, and issue the notice.

    The notice is issued when the documents feature is installed.

    :param prompt: the visit's suspension prompt (``violations.suspension_prompt``).
    :param by: the user suspending the licence.
    :returns: the licence's new sanction.
    :raises SuspensionUnavailable: if the licences feature cannot suspend a licence.
    :raises ValueError: if the licences or documents feature refuses (licence not in force, notice not issuable).
    """
    lifecycle = import_optional("registry.licences.lifecycle")
    if lifecycle is None or not hasattr(lifecycle, "suspend"):
        raise SuspensionUnavailable("registry.licences.lifecycle.suspend")
    minutes = queries.duty_violation_minutes(prompt.licence.id)
    reason = _("Second violation of operating duties (Decree 54/2019 Art. 15(1)(b)), recorded in minutes %(list)s.",
               list=", ".join(minutes) or "—")
    sanction = lifecycle.suspend(prompt.licence, starts_on=today_local(), reason=reason, by=by)
    notices = import_optional("registry.documents.notices")
    if notices is not None and hasattr(notices, "issue_suspension_notice"):
        notices.issue_suspension_notice(prompt.licence, sanction, issued_by=by)
    return sanction
