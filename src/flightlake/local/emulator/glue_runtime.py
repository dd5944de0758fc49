"""AWS Glue 5.0's Python runtime, made on this machine: what the Glue stand-in runs every job under.

A Glue 5.0 job runs on Python 3.11 with Spark 3.5.4 (Java 17) and imports only the modules Glue
provides (`requirements/glue-5.0-provided.txt`, copied from AWS's list) plus what
`--additional-python-modules` installs. The project's virtualenv is none of that (Python 3.12,
every locked package), so a job run there could pass here and fail on Glue. This runtime is a
virtualenv of Python 3.11 holding exactly `requirements/glue-runtime.txt` (Glue's list and
PySpark 3.5.4, hash-checked, installed with --no-deps): a job that imports anything else fails
with `ModuleNotFoundError`, as it would on Glue.

It is built once per lock, under `FLIGHTLAKE_GLUE_RUNTIME_DIR` (default
`<state dir>/glue-runtime/glue-5.0-<lock digest>`), by `make setup` and otherwise at its first
use, with a progress line; a file lock keeps two processes from building it at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from flightlake.errors import FlightlakeError
from flightlake.settings import Settings
from flightlake.settings.checkout import project_root

GLUE_VERSION = "5.0"
PYTHON_VERSION = (3, 11)  # Glue 5.0's
LOCK = Path("requirements") / "glue-runtime.txt"
PROVIDED = Path("requirements") / "glue-5.0-provided.txt"
READY = "runtime.json"  # written last: its presence says the runtime is whole
_PATHS = ("root", "python", "spark_home")  # the fields of GlueRuntime that are paths
_PROBE = "import os, pyspark; print(os.path.dirname(pyspark.__file__)); print(pyspark.__version__)"
_PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", re.MULTILINE)
Echo = Callable[[str], None]


class GlueRuntimeError(FlightlakeError):
    """The Glue 5.0 runtime cannot be built; the message says what is missing and how to get it."""


@dataclass(frozen=True)
class GlueRuntime:
    """A built runtime: where its interpreter and Spark are, and the versions it runs."""

    root: Path
    python: Path
    spark_home: Path
    python_version: str
    pyspark_version: str
    java_version: str
    provided_modules: int  # packages of Glue's list it holds

    def describe(self) -> str:
        return (
            f"AWS Glue {GLUE_VERSION} runtime: Python {self.python_version}, PySpark {self.pyspark_version}, "
            f"Java {self.java_version}, the {self.provided_modules} modules Glue provides and the release wheel "
            "(--no-deps)"
        )


def lock_file(settings: Settings) -> Path:
    return project_root(settings) / LOCK


def runtime_dir(settings: Settings) -> Path:
    """The runtime of this lock: a changed lock is a new runtime beside the old one."""
    lock = lock_file(settings)
    if not lock.exists():
        raise GlueRuntimeError(f"{lock} is missing: the Glue 5.0 runtime is made from the checkout's lock")
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()[:12]
    return settings.glue_runtime_root / f"glue-{GLUE_VERSION}-{digest}"


def provided_packages(settings: Settings) -> list[str]:
    """The package names of Glue's list, as AWS writes them."""
    return _PINNED.findall((project_root(settings) / PROVIDED).read_text())


def built_runtime(settings: Settings) -> GlueRuntime | None:
    """The runtime when it is built; None otherwise."""
    ready = runtime_dir(settings) / READY
    if not ready.exists():
        return None
    fields = json.loads(ready.read_text())
    return GlueRuntime(**{name: Path(value) if name in _PATHS else value for name, value in fields.items()})


def ensure_runtime(settings: Settings, echo: Echo = print) -> GlueRuntime:
    """The runtime, built first when this lock has none yet (a minute or two, mostly downloads)."""
    runtime = built_runtime(settings)
    if runtime is not None:
        return runtime
    root = runtime_dir(settings)
    root.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(root.with_name(root.name + ".lock")):
        runtime = built_runtime(settings)  # another process may have built it meanwhile
        if runtime is None:
            python = find_python(settings)
            echo(
                f"glue       building the AWS Glue {GLUE_VERSION} runtime in {root} (once): Python 3.11 from "
                f"{python}, {LOCK} (Glue's modules, PySpark 3.5.4), hash-checked"
            )
            runtime = _build(settings, python, root)
            echo(f"glue       ready: {runtime.describe()}")
    return runtime


def find_python(settings: Settings) -> str:
    """A Python 3.11 interpreter: FLIGHTLAKE_GLUE_PYTHON, else python3.11 on PATH, pyenv's, or a
    system one."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    candidates = [settings.glue_python] if settings.glue_python else []
    candidates += [shutil.which("python3.11"), *map(str, sorted(pyenv_root.glob("versions/3.11*/bin/python3.11")))]
    candidates += ["/usr/bin/python3.11", "/usr/local/bin/python3.11", "/opt/homebrew/bin/python3.11"]
    for candidate in filter(None, candidates):
        path = shutil.which(candidate) or candidate
        version, executable = _interpreter(path) if Path(path).is_file() else ((), "")
        if version[:2] == PYTHON_VERSION:
            return executable  # the interpreter itself, not a shim in front of it
    where = f" (FLIGHTLAKE_GLUE_PYTHON={settings.glue_python} is not one)" if settings.glue_python else ""
    raise GlueRuntimeError(
        f"no Python 3.11 found{where}: AWS Glue 5.0 runs its jobs on Python 3.11, and so does the emulator. "
        "Install it (Debian/Ubuntu: apt-get install python3.11; pyenv install 3.11; macOS: brew install "
        "python@3.11) or set FLIGHTLAKE_GLUE_PYTHON to one."
    )


def _interpreter(python: str) -> tuple[tuple[int, ...], str]:
    """(version, sys.executable) of an interpreter; ((), "") when it does not run."""
    script = "import sys; print(sys.executable); print(*sys.version_info[:3])"
    try:
        done = subprocess.run([python, "-c", script], capture_output=True, text=True, timeout=30)
    except OSError:
        return (), ""
    lines = done.stdout.splitlines()
    if done.returncode != 0 or len(lines) != 2:
        return (), ""
    return tuple(int(part) for part in lines[1].split()), lines[0]


def _build(settings: Settings, python: str, root: Path) -> GlueRuntime:
    if root.exists():
        shutil.rmtree(root)  # what an interrupted build left
    uv = _uv()
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    _run([uv, "venv", "-q", "--python", python, str(root)], env, "creating its virtualenv")
    install = [uv, "pip", "install", "-q", "--no-deps", "--require-hashes", "--python", str(root / "bin" / "python"),
               "-r", str(lock_file(settings))]  # fmt: skip
    _run(install, env, f"installing {LOCK}")
    python_version = ".".join(map(str, _interpreter(str(root / "bin" / "python"))[0]))
    probe = _run([str(root / "bin" / "python"), "-c", _PROBE], env, "importing pyspark").strip().splitlines()
    spark_home, pyspark_version = probe[-2], probe[-1]
    runtime = GlueRuntime(
        root=root,
        python=root / "bin" / "python",
        spark_home=Path(spark_home),
        python_version=python_version,
        pyspark_version=pyspark_version,
        java_version=java_version(),
        provided_modules=len(provided_packages(settings)),
    )
    fields = {name: str(value) if name in _PATHS else value for name, value in asdict(runtime).items()}
    (root / READY).write_text(json.dumps(fields, indent=2) + "\n")
    return runtime


def java_version() -> str:
    """The `java` Spark will start (Glue 5.0 runs Java 17)."""
    try:
        done = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=30)
    except OSError:
        return "not found"
    match = re.search(r'version "([^"]+)"', done.stderr + done.stdout)
    return match.group(1) if match else "unknown"


def _uv() -> str:
    beside = Path(sys.executable).parent / "uv"
    uv = str(beside) if beside.exists() else shutil.which("uv")
    if not uv:
        raise GlueRuntimeError("uv is not installed in the project's virtualenv: run `make setup`")
    return uv


def _run(argv: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
        raise GlueRuntimeError(f"building the Glue {GLUE_VERSION} runtime failed {what}: {lines[-1]}")
    return done.stdout


@contextmanager
def _build_lock(path: Path) -> Iterator[None]:
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
