#!/usr/bin/env bash
# Smoke test of the packaged folder, run by `make dist-smoke` and CI after `make dist`.
# It runs the built executables only, from an empty folder with no Python path set, so a file
# the build forgot shows up here and not at a mission.
set -euo pipefail

DIST=$(cd "${1:?usage: smoke.sh DIST_FOLDER}" && pwd)
# Set from the first build (216 MB on Linux, stripped) with room for growth: a jump means a
# module crept in. The issue caps it at 250 MB.
BUDGET_MB=${QORGAU_DIST_BUDGET_MB:-240}
CLI="$DIST/qorgau"
DESKTOP="$DIST/qorgau-desktop"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
export QORGAU_DATA_DIR="$WORK/data" QORGAU_USER=admin QORGAU_PASSWORD="smoke-Test-passw0rd"
export QT_QPA_PLATFORM=offscreen PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring
step() { echo "smoke: $*"; }
fail() { echo "smoke: FAILED: $*" >&2; exit 1; }

size_mb=$(du -sm "$DIST" | cut -f1)
step "folder size ${size_mb} MB (budget ${BUDGET_MB} MB)"
[ "$size_mb" -le "$BUDGET_MB" ] || fail "the folder is ${size_mb} MB, over the ${BUDGET_MB} MB budget"

step "version: $("$CLI" --version)"
"$CLI" init --mission-code SEL --country KR --city Seoul --city-kk Сеул --city-ru Сеул \
    --name-kk "Қазақстан Республикасының Корея Республикасындағы Елшілігі" \
    --name-ru "Посольство Республики Казахстан в Республике Корея" \
    --name-en "Embassy of the Republic of Kazakhstan in the Republic of Korea" \
    --admin admin >/dev/null
step "init: a new mission"

cat > case.json <<'JSON'
{"person": {"surname": "Әбенов", "given_names": "Нұрлан", "sex": "male"},
 "employer": {"name": "Hanbit & <Sons> Co.", "country": "KR", "city": "Seoul"},
 "host_country": "KR",
 "categories": ["unpaid_wages"], "urgency": "high", "received_at": "2026-11-02",
 "description": "Жалақы үш ай төленбеген."}
JSON
number=$("$CLI" case add --json case.json | tail -n 1 | awk '{print $NF}')
step "case add: $number"

"$CLI" --lang kk letter render "$number" --kind employer_letter --lang kk --out letter.pdf
# pdffonts: two header lines, then one line per font; the "emb" column must say yes.
not_embedded=$(pdffonts letter.pdf | awk 'NR > 2 && $(NF-4) != "yes"')
fonts=$(pdffonts letter.pdf | awk 'NR > 2' | wc -l)
[ "$fonts" -gt 0 ] || fail "the kk letter has no fonts"
[ -z "$not_embedded" ] || fail "fonts not embedded in the kk letter: $not_embedded"
step "letter render (kk): $(stat -c %s letter.pdf) bytes, $fonts fonts, all embedded"

recipient=$("$CLI" keys show --json | sed -n 's/.*"age_recipient": *"\([^"]*\)".*/\1/p')
[ -n "$recipient" ] || fail "keys show gave no age recipient"
"$CLI" bundle export --recipient "$recipient" --all --out cases.qbundle >/dev/null
[ -s cases.qbundle ] || fail "bundle export wrote nothing"
step "bundle export: $(stat -c %s cases.qbundle) bytes"

shown=$(QORGAU_SELF_TEST=1 "$DESKTOP" 2>desktop.err) || {
    cat desktop.err >&2
    fail "the desktop app did not show the case list"
}
echo "$shown" | grep -q "shows 1 of 1 cases" || fail "desktop: $shown"
step "desktop: $shown"
step "passed"
