"""Domain errors of licensing: each carries a translated message the view shows to the user."""
from __future__ import annotations


class LicensingError(ValueError):
    """A licensing action the rules refuse; ``str(error)`` is the message for the user."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field  # the form field the message belongs next to, when there is one


class TransitionError(LicensingError):
    """The record is not in a state that allows this action."""


class FourEyesError(LicensingError):
    """The person who prepared an application tried to decide it."""


class LocationChangeError(LicensingError):
    """A change of business location was asked for as an adjustment; it needs a new licence."""


class NotEligibleError(LicensingError):
    """An approval was asked for while an eligibility rule fails."""


class FeeNotPaidError(LicensingError):
    """A licence cannot be issued before the fee is paid in full."""
