"""What Amazon MWAA imports, compiled with MWAA's Python: 3.12 for Airflow 3.3.1.

MWAA parses `dags/` and imports the release wheel (plugins.zip, requirements.txt). The project's
virtualenv is Python 3.12 too, so this compiles with the interpreter running the check, after
making sure it is that version.
"""

from __future__ import annotations

import sys
from pathlib import Path

from flightlake.local.aws_checks.glue_code import shipped_files
from flightlake.local.aws_checks.problems import Problem

MWAA_PYTHON = (3, 12)  # Amazon MWAA's for Airflow 3.3.1


def check_mwaa_code(root: Path) -> list[Problem]:
    if sys.version_info[:2] != MWAA_PYTHON:
        return [
            Problem(
                "pyproject.toml",
                1,
                f"the check runs on Python {sys.version.split()[0]}, not MWAA's 3.12",
                "run it from the project's virtualenv (make check-aws)",
            )
        ]
    files = sorted((root / "dags").glob("*.py")) + [p for p in shipped_files(root) if "spark_jobs" not in p.parts]
    problems = []
    for path in files:
        try:
            compile(path.read_bytes(), str(path), "exec")
        except SyntaxError as error:
            problems.append(
                Problem(
                    str(path.relative_to(root)),
                    error.lineno or 1,
                    f"not valid Python 3.12 (MWAA's): {error.msg}",
                    "write it as Python 3.12 does",
                )
            )
    return problems
