#!/bin/sh
# Writes .env from .env.example with every secret generated: each uncommented `NAME=` line
# whose value is empty gets a fresh random value. Values already in .env are kept, so running
# it again only fills what is missing (new variables after a `git pull`).
#
#   sh docker/gen-env.sh [TEMPLATE [TARGET]]     (defaults: .env.example .env, in the repo root)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
template=${1:-$root/.env.example}
target=${2:-$root/.env}
umask 077
"${PYTHON:-python3}" - "$template" "$target" <<'PY'
import base64, os, re, secrets, sys

template, target = sys.argv[1], sys.argv[2]
line_re = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")


def generate(name: str) -> str:
    if name.endswith("FERNET_KEY"):
        return base64.urlsafe_b64encode(os.urandom(32)).decode()
    if name.endswith("ACCESS_KEY_ID"):
        return "FL" + secrets.token_hex(9).upper()
    return secrets.token_hex(24)  # hex: safe inside URLs, DSNs and YAML without quoting


existing = {}
if os.path.exists(target):
    for line in open(target):
        match = line_re.match(line.strip())
        if match:
            existing[match.group(1)] = match.group(2)
out, generated = [], []
for line in open(template):
    match = line_re.match(line.rstrip("\n"))
    if match:
        name, value = match.groups()
        if existing.get(name):
            value = existing[name]
        elif not value:
            value = generate(name)
            generated.append(name)
        line = f"{name}={value}\n"
    out.append(line)
known = {line_re.match(line).group(1) for line in out if line_re.match(line)}
extra = [f"{name}={value}\n" for name, value in existing.items() if name not in known]
if extra:
    out += ["\n# --- kept from the previous .env ---\n", *extra]
with open(target + ".tmp", "w") as handle:
    handle.writelines(out)
os.chmod(target + ".tmp", 0o600)
os.replace(target + ".tmp", target)
print(f"{target}: generated {', '.join(generated) if generated else 'nothing (all set)'}")
PY
