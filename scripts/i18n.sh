#!/usr/bin/env bash
# Refresh the message catalogues after changing user-facing strings:
#   scripts/i18n.sh update   - extract strings into messages.pot and merge them into vi/en catalogues
#   scripts/i18n.sh compile  - compile .po to .mo (make run / make test do this)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
case "${1:-update}" in
  update)
    # -q is a global pybabel option: it must come before the sub-command.
    # --ignore-dirs replaces Babel's legacy default, which silently skips every directory whose name starts
    # with "_" (templates/_macros, templates/_partials); only hidden directories and caches are skipped here.
    $BIN/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2 \
      --ignore-dirs ".* __pycache__ node_modules" \
      --no-location --sort-output -o registry/translations/messages.pot .
    $BIN/pybabel -q update -i registry/translations/messages.pot -d registry/translations --no-fuzzy-matching
    $BIN/python scripts/fill_en_catalogue.py
    ;;
  compile)
    $BIN/pybabel -q compile -d registry/translations --statistics
    ;;
  *)
    echo "usage: $0 [update|compile]" >&2
    exit 2
    ;;
esac
