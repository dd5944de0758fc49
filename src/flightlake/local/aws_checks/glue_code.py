"""What ships to AWS Glue, checked as Glue 5.0 runs it.

The release gives Glue the Spark job scripts and the wheel (the package without `LOCAL_ONLY`).
Glue 5.0 runs them on Python 3.11 with only its own modules beside the wheel, so:
- every shipped file must compile with the runtime's Python 3.11 (3.12-only syntax fails);
- no standard-library API newer than 3.11 may be used (`itertools.batched`, `Path.walk`,
  `typing.override`, ...): they compile, then fail on Glue; vermin finds them, by line;
- the scripts and the modules that run inside a Spark application (the import-linter contract
  `SPARK_CONTRACT` names them) must import in the Glue 5.0 runtime from the release wheel
  installed with --no-deps: a module Glue lacks is a ModuleNotFoundError there, as on Glue.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from flightlake.deploy.wheel import LOCAL_ONLY, build_wheel
from flightlake.local.aws_checks.problems import Problem
from flightlake.local.emulator.glue_runtime import PROVIDED, GlueRuntime

SPARK_JOBS = "spark_jobs"
SPARK_CONTRACT = "inside a Spark application"  # words of the import-linter contract that lists them
GLUE_PYTHON = (3, 11)
VERMIN_TARGET = "-t=3.11-"
_COMPILE = """
import json, sys
for path in sys.argv[1:]:
    try:
        compile(open(path, "rb").read(), path, "exec")
    except SyntaxError as error:
        print(json.dumps([path, error.lineno or 1, error.msg]))
"""
_IMPORT = """
import importlib, json, pkgutil, runpy, sys, traceback
scripts, modules, ours = json.loads(sys.argv[1])
def report(what, error):
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith(tuple(ours))]
    where = frames[-1] if frames else None
    print(json.dumps([what, where.filename if where else "", where.lineno if where else 1,
                      f"{type(error).__name__}: {error}"]))
for script in scripts:
    try:
        runpy.run_path(script, run_name="__glue_import_check__")
    except BaseException as error:
        report(script, error)
for name in modules:
    try:
        module = importlib.import_module(name)
        for found in pkgutil.walk_packages(getattr(module, "__path__", []), name + "."):
            try:
                importlib.import_module(found.name)
            except BaseException as error:
                report(found.name, error)
    except BaseException as error:
        report(name, error)
"""


def shipped_files(root: Path) -> list[Path]:
    """The Python files the release gives Glue: the job scripts and the wheel's modules."""
    package = root / "src" / "flightlake"
    modules = [
        path
        for path in sorted(package.rglob("*.py"))
        if path.relative_to(package).parts[0] not in LOCAL_ONLY and "__pycache__" not in path.parts
    ]
    return sorted((root / SPARK_JOBS).glob("*.py")) + modules


def check_glue_code(root: Path, runtime: GlueRuntime) -> list[Problem]:
    files = shipped_files(root)
    problems = compile_errors(root, runtime, files)
    problems += newer_standard_library(root, files)
    if not problems:  # an import of code that does not compile says nothing more
        problems += import_errors(root, runtime)
    return problems


def compile_errors(root: Path, runtime: GlueRuntime, files: list[Path]) -> list[Problem]:
    done = _run([str(runtime.python), "-c", _COMPILE, *map(str, files)])
    problems = []
    for line in done.stdout.splitlines():
        path, number, message = json.loads(line)
        problems.append(
            Problem(
                _relative(root, path),
                number,
                f"not valid Python {runtime.python_version} (Glue 5.0's): {message}",
                "write it as Python 3.11 does (ruff's py311 target shows how)",
            )
        )
    return problems


def newer_standard_library(root: Path, files: list[Path]) -> list[Problem]:
    """Standard-library APIs newer than Glue's Python 3.11, by line (vermin's parsable output)."""
    vermin = Path(sys.executable).parent / "vermin"
    argv = [str(vermin), VERMIN_TARGET, "--no-tips", "--violations", "--format", "parsable", *map(str, files)]
    problems = []
    for line in _run(argv).stdout.splitlines():
        parts = line.split(":", 5)
        if len(parts) != 6 or not parts[1]:
            continue  # the per-file and overall summaries
        path, number, _, _, version, what = parts
        if not version or tuple(int(p) for p in version.split(".")) <= GLUE_PYTHON:
            continue
        problems.append(
            Problem(
                _relative(root, path),
                int(number),
                f"{what} needs Python {version}; Glue 5.0 runs 3.11",
                "use what Python 3.11 has (e.g. itertools.islice for batched, os.walk for Path.walk), or "
                "keep it out of what ships to Glue",
            )
        )
    return problems


def import_errors(root: Path, runtime: GlueRuntime) -> list[Problem]:
    """The job scripts and the Spark-side modules, imported in the Glue 5.0 runtime from the
    release wheel (installed with --no-deps, as --additional-python-modules does)."""
    with tempfile.TemporaryDirectory(prefix="flightlake-check-aws-") as tmp:
        wheel = build_wheel(root, Path(tmp) / "wheel")
        modules_dir = Path(tmp) / "python-modules"
        _run(
            [
                str(runtime.python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--target",
                str(modules_dir),
                str(wheel),
            ],
            check=True,
        )
        scripts = [str(path) for path in sorted((root / SPARK_JOBS).glob("*.py"))]
        spec = json.dumps([scripts, spark_side_modules(root), [str(modules_dir), str(root / SPARK_JOBS)]])
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(modules_dir), "HOME": tmp}
        done = _run([str(runtime.python), "-c", _IMPORT, spec], env=env, cwd=tmp)
        problems, seen = [], set()
        for line in done.stdout.splitlines():
            what, path, number, error = json.loads(line)
            if (path, number, error) in seen:
                continue  # the same failure, reached from another entry point
            seen.add((path, number, error))
            where = (
                _relative(root, path.replace(str(modules_dir), str(root / "src"))) if path else _relative(root, what)
            )
            problems.append(
                Problem(
                    where,
                    number,
                    f"importing {Path(what).name if what.endswith('.py') else what} in the Glue 5.0 "
                    f"runtime fails with {error}",
                    f"import only the standard library, pyspark, boto3 and the modules Glue provides ({PROVIDED}) "
                    "in code that runs in a Spark job; import the rest inside the function that needs it",
                )
            )
    return problems


def spark_side_modules(root: Path) -> list[str]:
    """The modules the import-linter contract says run inside a Spark application (pyproject.toml)."""
    contracts = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    for contract in contracts:
        if SPARK_CONTRACT in contract["name"]:
            return list(contract["source_modules"])
    return []


def _relative(root: Path, path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(root.resolve()))
    except ValueError:
        return path


def _run(
    argv: list[str], env: dict[str, str] | None = None, cwd: str | None = None, check: bool = False
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, check=False)
    if check and done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
        raise RuntimeError(f"{Path(argv[0]).name} failed: {lines[-1]}")
    return done
