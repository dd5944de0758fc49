"""The embedded warehouse: a real PostgreSQL server run from the machine's own binaries.

PostgreSQL refuses to run as root, and `flightlake up` is often run as root in containers and CI,
so when we are root the data directory belongs to an unprivileged user (`FLIGHTLAKE_PG_OS_USER`,
default `postgres`) and the server runs as that user. The server listens on 127.0.0.1 only and
uses a password generated at `initdb`, kept in the state directory (mode 0600).
"""

from __future__ import annotations

import glob
import os
import re
import secrets
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from flightlake.errors import FlightlakeError
from flightlake.local.stack import processes
from flightlake.settings import Settings

MIN_VERSION = 15
DB_USER = "flightlake"
DB_NAME = "flightlake"

INSTALL_HINT = (
    f"PostgreSQL {MIN_VERSION}+ server binaries were not found. Install them with\n"
    "  Debian/Ubuntu: sudo apt-get install -y postgresql-15   (or: postgresql)\n"
    "  macOS:         brew install postgresql@15\n"
    "or point FLIGHTLAKE_PG_BINDIR at the directory holding initdb and postgres."
)


class PostgresNotFound(FlightlakeError):
    """No usable PostgreSQL server binaries on this machine."""


@dataclass(frozen=True)
class PostgresLayout:
    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def password_file(self) -> Path:
        return self.root / "password"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"


def _version(bindir: Path) -> int | None:
    try:
        out = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", out.stdout)
    return int(match.group(1)) if match else None


def find_bindir(settings: Settings) -> Path:
    """Directory with initdb and postgres (15+): the setting, then PATH, Debian, Homebrew."""
    candidates: list[str] = [settings.pg_bindir] if settings.pg_bindir else _discovered_bindirs()
    for candidate in candidates:
        bindir = Path(candidate)
        if (bindir / "initdb").exists() and (bindir / "postgres").exists():
            version = _version(bindir)
            if version is not None and version >= MIN_VERSION:
                return bindir
    if settings.pg_bindir:
        raise PostgresNotFound(
            f"FLIGHTLAKE_PG_BINDIR={settings.pg_bindir} holds no PostgreSQL {MIN_VERSION}+.\n" + INSTALL_HINT
        )
    raise PostgresNotFound(INSTALL_HINT)


def _discovered_bindirs() -> list[str]:
    candidates: list[str] = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0:
            candidates.append(out.stdout.strip())
    for pattern in (
        "/usr/lib/postgresql/*/bin",
        "/opt/homebrew/opt/postgresql@*/bin",
        "/usr/local/opt/postgresql@*/bin",
        "/usr/pgsql-*/bin",
    ):
        candidates.extend(sorted(glob.glob(pattern), key=_numeric_key, reverse=True))
    return candidates


def _numeric_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path)) or (0,)


def _run_as(settings: Settings) -> str | None:
    """The OS user to run the server as: None when we are not root."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        pwd.getpwnam(settings.pg_os_user)
    except KeyError as error:
        raise PostgresNotFound(
            f"PostgreSQL refuses to run as root, and the OS user {settings.pg_os_user!r} "
            "(FLIGHTLAKE_PG_OS_USER) does not exist: create it (useradd --system postgres) "
            "or name another unprivileged user."
        ) from error
    return settings.pg_os_user


def _chown_tree(path: Path, user: str) -> None:
    import pwd

    entry = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        os.chown(root, entry.pw_uid, entry.pw_gid)
        for name in dirs + files:
            os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def _check_traversable(path: Path, user: str) -> None:
    """The server user must reach its data dir; a /root checkout, for example, is closed to it."""
    import pwd

    uid = pwd.getpwnam(user).pw_uid
    for parent in reversed(path.parents):
        mode = parent.stat().st_mode
        if parent.stat().st_uid != uid and not mode & 0o001:
            raise PostgresNotFound(
                f"The PostgreSQL server runs as {user!r}, which cannot enter {parent} (mode "
                f"{oct(mode & 0o777)}). Put the state somewhere it can reach with "
                "FLIGHTLAKE_STATE_DIR, or run chmod o+x on that directory."
            )


def ensure_initialized(settings: Settings, layout: PostgresLayout) -> str:
    """initdb on first use; returns the flightlake user's password."""
    if (layout.data / "PG_VERSION").exists():
        return layout.password_file.read_text().strip()
    bindir = find_bindir(settings)
    user = _run_as(settings)
    layout.root.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(24)
    layout.password_file.write_text(password)
    layout.password_file.chmod(0o600)
    pwfile = layout.root / ".initdb-pw"
    pwfile.write_text(password)
    layout.socket_dir.mkdir(exist_ok=True)
    if layout.data.exists():
        shutil.rmtree(layout.data)
    if user:
        _check_traversable(layout.root, user)
        _chown_tree(layout.root, user)
        os.chown(layout.password_file, 0, 0)
    try:
        subprocess.run(
            [
                str(bindir / "initdb"), "-D", str(layout.data), "-U", DB_USER, "--pwfile", str(pwfile),
                "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-instructions",
            ],
            check=True,
            capture_output=True,
            text=True,
            user=user,
            group=processes._primary_group(user) if user else None,
            extra_groups=[] if user else None,
        )  # fmt: skip
    except subprocess.CalledProcessError as error:
        raise RuntimeError(f"initdb failed in {layout.data}:\n{error.stdout}{error.stderr}") from error
    finally:
        pwfile.unlink(missing_ok=True)
    return password


def start(settings: Settings, layout: PostgresLayout, pid_files: processes.PidFiles, port: int) -> None:
    bindir = find_bindir(settings)
    user = _run_as(settings)
    argv = [
        str(bindir / "postgres"), "-D", str(layout.data), "-p", str(port),
        "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={layout.socket_dir}",
        "-c", "fsync=on", "-c", "max_connections=50",
    ]  # fmt: skip
    if user:
        _chown_tree(layout.socket_dir, user)
    processes.spawn("postgres", argv, layout.log, pid_files, marker=str(layout.data), user=user)


def stop(pid_files: processes.PidFiles) -> bool:
    """Fast shutdown (SIGINT): SIGTERM would wait for every client to disconnect."""
    tracked = pid_files.running("postgres")
    if tracked is None:
        return False
    processes.stop(tracked, sig=signal.SIGINT)
    pid_files.remove("postgres")
    return True


def dsn(password: str, port: int, database: str = DB_NAME) -> str:
    from urllib.parse import quote

    return f"postgresql://{DB_USER}:{quote(password, safe='')}@127.0.0.1:{port}/{database}"


def ensure_database(password: str, port: int) -> None:
    """Create the flightlake database (initdb only makes `postgres`)."""
    import psycopg

    with psycopg.connect(dsn(password, port, "postgres"), autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def healthy(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            return conn.execute("SELECT 1").fetchone() == (1,)
    except psycopg.Error:
        return False
