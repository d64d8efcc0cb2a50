#!/usr/bin/env bash
# Render an HTML report (check --report FILE.html) to a PNG with headless
# Chromium (Debian's `chromium` package), to look at the page as a reader
# would before a change to it lands.
#
#   tools/render_report.sh r.html [r.png] [WIDTHxHEIGHT]
set -euo pipefail
html=${1:?usage: tools/render_report.sh REPORT.html [OUT.png] [WIDTHxHEIGHT]}
png=${2:-${html%.html}.png}
size=${3:-1400x3000}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
    echo "render_report: no chromium found (apt-get install chromium)" >&2
    exit 2
fi
abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size="${size/x/,}" --screenshot="$png" "file://$abs" >/dev/null 2>&1
echo "wrote $png"
