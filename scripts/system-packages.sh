#!/usr/bin/env bash
# Install the Debian packages the registry needs, when missing.
#   runtime: WeasyPrint's Pango libraries and the Times-metric font with Vietnamese glyphs.
#   test:    runtime + Chromium (browser journeys), poppler-utils (pdftotext, pdffonts, pdftoppm), zbar-tools (QR).
# As root it installs what is missing; otherwise it prints the exact apt command and fails.
set -euo pipefail
profile="${1:-runtime}"
packages=(libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation2 fonts-dejavu-core)
if [ "$profile" = "test" ]; then
  packages+=(chromium poppler-utils zbar-tools)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get update && sudo $cmd" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
$cmd -qq
