#!/usr/bin/env bash
# The system packages the tests need, installed where this machine allows it (`make test` and
# CI's .ci/run both call this). Nothing here is needed at run time, only by the tests:
#
#   chromium            the browser tests drive the system browser (none is ever downloaded)
#   dovecot-imapd       the e-mail tests start their own IMAP server
#   fonts-dejavu-core   Cyrillic in the browser tests' pages
#   systemd             systemd-analyze checks the shipped units (deploy/systemd/)
#   postgresql          server binaries for the database-outage test's throw-away cluster, and
#                       the client tools; needed when the suite runs on PostgreSQL or in CI
#
# As root, or with passwordless sudo, missing packages are installed with apt-get. Otherwise the
# script names what is missing and the command that installs it, installs nothing, and exits 1.
#   tools/provision.sh           install what is missing (or say what is)
#   tools/provision.sh --check   only say what is missing (exit 1 if anything is)
set -euo pipefail

check_only=0
[ "${1:-}" = "--check" ] && check_only=1

missing=()
have() { command -v "$1" >/dev/null 2>&1; }

chromium="${SMARTSAFE_CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] || missing+=(chromium)
{ have dovecot || [ -x /usr/sbin/dovecot ]; } || missing+=(dovecot-imapd)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
have systemd-analyze || missing+=(systemd)
case "${DATABASE_URL:-}" in postgres://* | postgresql://*) need_postgres=1 ;; *) need_postgres=0 ;; esac
[ -n "${CI:-}" ] && need_postgres=1
if [ "$need_postgres" = 1 ]; then
  { compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null \
    && have pg_dump && have psql; } || missing+=(postgresql)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "== system packages for the tests: all present"
  exit 0
fi

if [ "$check_only" = 1 ]; then
  echo "Missing system packages for the tests: ${missing[*]}"
  echo "Install them with: sudo apt-get install ${missing[*]}"
  exit 1
fi

if ! have apt-get; then
  echo "Missing system packages for the tests: ${missing[*]}"
  echo "This machine has no apt-get: install the equivalents of those Debian packages, then run make test again."
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif have sudo && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "Missing system packages for the tests: ${missing[*]}"
  echo "Install them with: sudo apt-get install ${missing[*]}"
  echo "(this user may not install packages without a password; nothing was installed or run)"
  exit 1
fi

echo "== installing system packages for the tests: ${missing[*]} (a few minutes the first time)"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
echo "== system packages installed"
