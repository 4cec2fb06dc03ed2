#!/usr/bin/env bash
# A full workshop in elo_tui at 80×24, driven through tmux: new workspace -> import a CSV
# of products -> Bouwstenen (matrix) -> Checklist -> Kosten (with the chart) -> Indiening
# (concept export) -> Overzicht chart and presentation mode. Every screen it captures is
# written to OUT (default: a temporary folder) and printed; docs/workshop.md shows them.
#
#   docs/workshop_walkthrough.sh [OUT]
#
# Needs tmux and the project installed in .venv (or ELO_TUI=/path/to/elo-tui). Nothing
# outside a temporary folder is touched: its own state folder (ELO_TUI_STATE_DIR),
# settings file (ELO_TUI_CONFIG) and export folder; a fixed date (ELO_TUI_TODAY) makes
# the countdowns the same on every run. Waits for text on the screen, never a fixed
# time, so it also works on a busy machine.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
elo=${ELO_TUI:-$here/.venv/bin/elo-tui}
work=$(mktemp -d "${TMPDIR:-/tmp}/elo-workshop.XXXXXX")
out=${1:-$work/captures}
mkdir -p "$out"
sock="elo-workshop-$$"  # a tmux server of its own: the user's sessions are left alone
timeout=${WAIT_SECONDS:-90}

t() { tmux -L "$sock" "$@"; }
cleanup() {
  t kill-server 2>/dev/null || true
  rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock" # the socket file can outlive the server
}
trap cleanup EXIT

# keys KEY...: press keys (tmux key names: Tab, F2, Escape, Down, C-q).
keys() {
  for k in "$@"; do t send-keys -t w "$k"; sleep 0.3; done
}
# type TEXT: type literally.
type_text() { t send-keys -t w -l "$1"; sleep 0.3; }
# wait_for TEXT: until TEXT is on the screen (fails with the screen after $timeout s).
wait_for() {
  local deadline=$((SECONDS + timeout))
  until t capture-pane -p -t w | grep -qF -- "$1"; do
    if ((SECONDS > deadline)); then
      echo "Niet gevonden op het scherm na ${timeout}s: $1" >&2
      t capture-pane -p -t w >&2
      exit 1
    fi
    sleep 0.5
  done
  sleep 0.5 # let the rest of the screen settle
}
# wait_gone TEXT: until a notification with TEXT has gone (they cover part of a screen).
wait_gone() {
  local deadline=$((SECONDS + timeout))
  while t capture-pane -p -t w | grep -qF -- "$1"; do
    if ((SECONDS > deadline)); then
      echo "Nog op het scherm na ${timeout}s: $1" >&2
      exit 1
    fi
    sleep 0.5
  done
}
# shot NAME: keep the screen as OUT/NAME.txt and print it.
shot() {
  t capture-pane -p -t w >"$out/$1.txt"
  printf '\n===== %s =====\n' "$1"
  cat "$out/$1.txt"
}

cd "$work" # the default export folder is ./exports
t new-session -d -s w -x 80 -y 24 \
  "env ELO_TUI_STATE_DIR='$work/state' ELO_TUI_CONFIG='$work/settings.toml' \
   ELO_TUI_TODAY=2026-11-22 ELO_TUI_USER=workshop '$elo'; sleep 600"

# 1. New workspace (first run: no workspace yet).
wait_for "Welkom bij elo_tui"
type_text "Agentschap Workshop Ondernemen"
keys Tab
type_text "OVO099001"
keys Tab
type_text "An Peeters"
keys Tab
type_text "an.peeters@example.org"
shot 01-nieuwe-werkruimte
keys F2
wait_for "Gereedheid per bouwsteen"
shot 02-overzicht-leeg

# 2. Import the product list (CSV, Belgian Excel style: ';' and 1.150).
keys 2
wait_for "Producten"
keys i
wait_for "stap 1 van 3"
type_text "$here/docs/workshop_producten.csv"
keys F2
wait_for "stap 2 van 3"
shot 03-import-kolommen
keys F2
wait_for "stap 3 van 3"
shot 04-import-controleren
keys F2
wait_for "Ingelezen:"
keys F2
wait_for "6 producten"
shot 05-producten

# 3. Bouwstenen: take over the proposal for the first cell (ACM/IDM, Attestenloket).
keys 4
wait_for "ACM/IDM Rechten"
keys v
wait_for "○ niet"
wait_gone "Import klaar"
shot 06-bouwstenen

# 4. Checklist: the steps that decision created; start the first one.
keys 5
wait_for "Vervaldag"
keys space
wait_for "Bezig"
shot 07-checklist

# 5. Kosten: day rates and own budget, then a proposal from the cost template.
keys 6
wait_for "Raming"
keys g
wait_for "Gegevens van de aanvraag"
keys Tab Tab Tab
type_text "650"
keys Tab
type_text "950"
keys Tab
type_text "25000"
keys F2
wait_for "Aanvraaggegevens opgeslagen"
keys p
wait_for "voorgesteld uit het"
shot 08-kosten
keys w
wait_for "Raming per begrotingsjaar"
wait_gone "voorgesteld uit het"
shot 09-kosten-grafiek
keys w

# 6. Indiening: what is missing, and a concept export in every format.
keys 7
wait_for "Versies"
shot 10-indiening
keys c
wait_for "Exporteren: concept"
keys F2
wait_for "exports"
shot 11-export
ls -l "$work/exports" | sed 's/^/    /'

# 7. Overzicht: readiness over time, then presentation mode for the projector.
keys 1
wait_for "Mijlpalen"
keys w
wait_for "Gereedheid over tijd tot 30 juni 2027"
wait_gone "Geëxporteerd"
shot 12-overzicht-grafiek
keys P
wait_for "Entiteit:"
shot 13-presentatie
keys space
wait_for "Toepassing:"
shot 14-presentatie-toepassing
keys Escape
wait_for "Overzicht"
keys C-q
echo
echo "Schermen bewaard in $out"
