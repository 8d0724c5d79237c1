#!/usr/bin/env bash
# man netflow cannot drift from the program: every flag `netflow --help`
# lists, and every column name --fields accepts, appears in the rendered
# page; the page renders without warnings and has its sections (exit codes,
# the three uses' examples).
#   man_page.sh NETFLOW REPO_ROOT
set -uo pipefail
netflow=$1
root=$2
page=$root/man/netflow.8
fail() {
    echo "FAIL: $*"
    exit 1
}

warnings=$(MANWIDTH=120 man --warnings -l "$page" 2>&1 >/dev/null)
[ -z "$warnings" ] || fail "man page warnings: $warnings"
# Justification may widen a space: names are looked for with single spaces.
text=$(MANWIDTH=200 man -l "$page" 2>/dev/null | col -bx | tr -s " ")
[ -n "$text" ] || fail "man page does not render"

flags=$("$netflow" --help | grep -oE '^  (-[a-zA-Z],)?--[a-z0-9-]+' | tr ',' '\n' | tr -d ' ')
[ "$(echo "$flags" | wc -l)" -gt 30 ] || fail "too few flags read from --help: $flags"
missing=""
for flag in $flags; do
    grep -qE -- "(^|[^a-z0-9-])$flag([^a-z0-9-]|$)" <<<"$text" || missing+=" $flag"
done
[ -z "$missing" ] || fail "flags of --help missing from the man page:$missing"

# Every column: the list --fields gives with an unknown name.
columns=$("$netflow" -f /dev/null -c - --fields no-such-column 2>&1 |
    sed -n 's/.*valid fields: //p' | sed 's/ (see netflow --help)$//' | tr ',' '\n' | sed 's/^ *//; s/ *$//')
[ "$(echo "$columns" | wc -l)" -ge 55 ] || fail "too few column names: $columns"
missing=""
while IFS= read -r column; do
    grep -qF -- "$column" <<<"$text" || missing+=" '$column'"
done <<<"$columns"
[ -z "$missing" ] || fail "columns missing from the man page:$missing"

for section in "EXIT STATUS" "EXAMPLES" "COLUMNS" "METRICS" "FILES"; do
    grep -q "^$section" <<<"$text" || fail "no $section section"
done
for example in "netflow -f " "--capture tap" "netflow -i eth0"; do
    grep -qF -- "$example" <<<"$text" || fail "no example with '$example'"
done
echo "man page: $(echo "$flags" | wc -l) flags and $(echo "$columns" | wc -l) columns documented"
