"""Import the committed dashboard bundle (Superset's own export) at container start-up.

    python import_dashboards.py /app/dashboards

The bundle holds no password: the warehouse connection's password comes from
FLIGHTLAKE_WAREHOUSE_PASSWORD and is handed to Superset's importer the way its REST import
takes it (`passwords={"databases/<file>.yaml": ...}`); `superset import-dashboards` has no
such option. Superset's importer keeps that password only while the URI carries its mask
(`XXXXXXXXXX`), as every Superset export of a password-protected connection does.
SUPERSET_WAREHOUSE_URI (without a password) may replace the bundle's
postgresql://flightlake:XXXXXXXXXX@postgres:5432/flightlake, e.g. for a warehouse elsewhere.
Re-running it overwrites the dashboard with the bundle's version (idempotent).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml


def bundle_contents(root: Path) -> dict[str, str]:
    """{path inside the bundle: text}, the shape Superset's importers take."""
    contents = {path.relative_to(root).as_posix(): path.read_text() for path in sorted(root.rglob("*.yaml"))}
    if "metadata.yaml" not in contents:
        sys.exit(f"{root} is not a Superset export bundle (no metadata.yaml)")
    return contents


PASSWORD_MASK = "XXXXXXXXXX"  # superset.constants.PASSWORD_MASK


def with_warehouse_uri(contents: dict[str, str], uri: str | None) -> dict[str, str]:
    """The bundle with its database URI replaced by `uri`, password slot masked like an export's."""
    if not uri:
        return contents
    parts = urlsplit(uri)
    if parts.password or not parts.username or not parts.hostname:
        sys.exit("SUPERSET_WAREHOUSE_URI must look like postgresql://user@host:port/db (no password)")
    port = f":{parts.port}" if parts.port else ""
    masked = urlunsplit(parts._replace(netloc=f"{parts.username}:{PASSWORD_MASK}@{parts.hostname}{port}"))
    patched = dict(contents)
    for name, text in contents.items():
        if name.startswith("databases/"):
            config = yaml.safe_load(text)
            config["sqlalchemy_uri"] = masked
            patched[name] = yaml.safe_dump(config, sort_keys=False)
    return patched


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "/app/dashboards")
    password = os.environ.get("FLIGHTLAKE_WAREHOUSE_PASSWORD")
    if not password:
        sys.exit("FLIGHTLAKE_WAREHOUSE_PASSWORD is not set (the warehouse password, POSTGRES_PASSWORD in .env)")
    contents = with_warehouse_uri(bundle_contents(root), os.environ.get("SUPERSET_WAREHOUSE_URI"))
    passwords = {name: password for name in contents if name.startswith("databases/")}

    from flask import g
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset import security_manager
        from superset.commands.dashboard.importers.dispatcher import ImportDashboardsCommand

        user = os.environ.get("SUPERSET_ADMIN_USER", "admin")
        g.user = security_manager.find_user(username=user)
        if g.user is None:
            sys.exit(f"Superset user {user!r} does not exist; run `superset fab create-admin` first")
        ImportDashboardsCommand(contents, passwords=passwords, overwrite=True).run()
    charts = sum(1 for name in contents if name.startswith("charts/"))
    print(f"imported {root}: {charts} charts, databases {sorted(passwords)} (password from the environment)")


if __name__ == "__main__":
    main()
