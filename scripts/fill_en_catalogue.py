"""The English catalogue is the identity: fill every msgstr with its msgid so it is complete by construction."""
from pathlib import Path

from babel.messages.pofile import read_po, write_po

path = Path("registry/translations/en/LC_MESSAGES/messages.po")
with path.open("rb") as f:
    catalog = read_po(f, locale="en")
for message in catalog:
    if not message.id:
        continue
    if message.pluralizable:
        # English has two plural forms: msgstr[0] = singular, msgstr[1] = plural.
        singular, plural = message.id[0], message.id[1]
        current = tuple(message.string or ())
        if not all(current) or len(current) != 2:
            message.string = (singular, plural)
    elif not message.string:
        message.string = message.id
    message.flags.discard("fuzzy")
with path.open("wb") as f:
    write_po(f, catalog, width=120)
