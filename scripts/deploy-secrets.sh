#!/usr/bin/env bash
# Writes deploy/.env (or FILE) for the compose stack: every secret deploy/.env.example lists, each a
# fresh random value, the file mode 0600. An existing file is never overwritten (rotating a password
# is described in deploy/README.md).
#   scripts/deploy-secrets.sh [FILE]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
env_file=${1:-$root/deploy/.env}

if [ -e "$env_file" ]; then
  echo "deploy-secrets: $env_file exists, left as is (delete it first to start with new secrets)" >&2
  exit 0
fi

# 32 letters and digits from the kernel's random source: about 190 bits, and no character that
# needs quoting in a URL, a shell, YAML or CQL.
random() { LC_ALL=C tr -dc 'A-Za-z0-9' < /dev/urandom | head -c 32; }

# The secrets are the variables deploy/.env.example leaves empty.
names=$(sed -n 's/^\([A-Z_][A-Z0-9_]*\)=$/\1/p' "$root/deploy/.env.example")
[ -n "$names" ] || { echo "deploy-secrets: no secret listed in deploy/.env.example" >&2; exit 1; }

umask 077
# noclobber: two runs at once cannot both write it.
set -o noclobber
{
  echo "# Written by scripts/deploy-secrets.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ); see deploy/.env.example."
  for name in $names; do echo "$name=$(random)"; done
} > "$env_file"
chmod 600 "$env_file"
echo "deploy-secrets: wrote $env_file ($(echo $names | wc -w) secrets, mode 0600)"
