"""`python -m flightlake.local.aws_checks [ROOT]` (what `make check-aws` runs): every check on the
checkout (or the copy at ROOT), each one's findings and time; exit 1 when anything was found."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from flightlake.errors import FlightlakeError
from flightlake.local.aws_checks.glue_code import check_glue_code
from flightlake.local.aws_checks.mwaa_code import check_mwaa_code
from flightlake.local.aws_checks.problems import Problem
from flightlake.local.aws_checks.redshift_rules import check_statements
from flightlake.local.aws_checks.sql_sources import all_statements
from flightlake.settings import load_settings
from flightlake.settings.checkout import project_root


def checks(root: Path) -> list[tuple[str, Callable[[], list[Problem]]]]:
    from flightlake.local.emulator.glue_runtime import ensure_runtime

    def glue() -> list[Problem]:
        return check_glue_code(root, ensure_runtime(load_settings()))

    return [
        ("Glue 5.0: Python 3.11, its standard library, its modules", glue),
        ("MWAA: Python 3.12", lambda: check_mwaa_code(root)),
        ("Redshift: grammar, refusals, Data API rules", lambda: check_statements(all_statements(root))),
    ]


def main(argv: list[str]) -> int:
    try:
        root = Path(argv[0]).resolve() if argv else project_root(load_settings())
        found = 0
        for title, check in checks(root):
            started = time.monotonic()
            problems = check()
            print(f"check-aws  {title}: {len(problems) or 'nothing'} found in {time.monotonic() - started:.1f} s")
            for problem in problems:
                print(f"    {problem}")
            found += len(problems)
    except (FlightlakeError, RuntimeError) as error:
        print(f"check-aws: {error}", file=sys.stderr)
        return 2
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
