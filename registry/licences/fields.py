"""The licensing forms' select: the shared one, except that an optional select may be left empty or not sent."""
from __future__ import annotations

from registry.common import fields


class SelectField(fields.SelectField):
    """A select that is valid with no value unless it is required (``RequiredChoice``).

    That holds even when its choices offer no blank option or the submission leaves the select out. The class keeps
    WTForms' name because the form macros style selects by it.
    """

    def pre_validate(self, form) -> None:
        if self.data in (None, "") and not self.flags.required:
            return
        super().pre_validate(form)


Select = SelectField
