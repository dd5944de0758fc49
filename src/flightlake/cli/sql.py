"""`flightlake sql`: ask the lake and the warehouse in SQL (Athena and Spectrum, locally).

The query comes as an argument, from `--file`, or on standard input; with none of them on a
terminal, an interactive prompt opens. The result is a table on screen, or a CSV, JSON or Parquet
file (`--output`, by extension). `--env NAME` sends the same text to that environment's Athena.
A query that cannot run (syntax, unknown table or column, anything but a read, text that is not
UTF-8, an output file that cannot be written) is exit code 2 with a one-line message; a stack
that stops answering is exit code 1, saying to run `flightlake up`.

The result streams: the screen shows the first `--max-rows` rows and counts the rest as they
pass; an output file is written batch by batch. Memory does not grow with the result.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from flightlake.cli.arguments import whole
from flightlake.cli.registry import command, console
from flightlake.explore import QueryError
from flightlake.settings import Settings

if TYPE_CHECKING:
    from flightlake.explore.results import Rows
    from flightlake.explore.session import LakeSession

PROMPT, MORE = "sql> ", "...> "


def _sql_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="?", help="the query; or --file, or standard input; none: a prompt")
    parser.add_argument("--file", type=Path, metavar="FILE", help="read the query from this file")
    parser.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write the result to FILE (.csv .json .parquet)"
    )
    parser.add_argument("--explain", action="store_true", help="show the plan instead of running the query")
    parser.add_argument(
        "--max-rows", type=whole(1), default=100, metavar="N", help="rows shown on screen (default 100)"
    )
    parser.add_argument("--env", metavar="NAME", help="run through Athena in a deployed environment instead")


@command("sql", "SQL over the lake's Glue tables and the warehouse (DuckDB here, Athena with --env)", _sql_arguments)
def _sql(args: argparse.Namespace, settings: Settings) -> int:
    try:
        text = _query_text(args)
        if args.output:
            from flightlake.explore.results import output_format

            output_format(args.output)  # a wrong extension is said before the query runs
        if args.env:
            return _athena(args, settings, text)
        from flightlake.explore.session import LakeSession
        from flightlake.local.stack.connection_lost import stack_lost
        from flightlake.local.stack.manager import activate

        settings = activate(settings)
        with stack_lost(settings, "run the query again"), LakeSession(settings) as session:
            if text is None:
                return _prompt(session, args)
            return _answer(session, text, args)
    except QueryError as error:
        print(f"flightlake sql: {error}", file=sys.stderr)
        return 2


def _query_text(args: argparse.Namespace) -> str | None:
    """The query from the argument, the file or standard input; None: open the prompt."""
    if args.query and args.file:
        raise QueryError("give the query as an argument or with --file, not both")
    if args.file:
        try:
            return _utf8(args.file.read_bytes(), f"--file {args.file}")
        except OSError as error:
            raise QueryError(f"--file {args.file}: {error.strerror or error}") from error
    if args.query:
        return args.query
    if not sys.stdin.isatty():
        raw = getattr(sys.stdin, "buffer", None)  # the bytes, so that a non-UTF-8 byte is named
        return _utf8(raw.read(), "standard input") if raw is not None else sys.stdin.read()
    return None


def _utf8(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise QueryError(
            f"{where}: byte {error.start + 1} (0x{data[error.start]:02x}) is not UTF-8 text. "
            "Fix: save the query as UTF-8"
        ) from None


def _answer(session: LakeSession, text: str, args: argparse.Namespace) -> int:
    if args.explain:
        console().print(session.explain(text), markup=False)
        return 0
    started = time.monotonic()
    _show(session.stream(text), args, started, _warehouse_read(session, text))
    return 0


def _warehouse_read(session: LakeSession, text: str) -> str:
    """Which warehouse the `dw` tables came from, when the query reads any: the local path's (an
    AWS rehearsal writes a database of its own, `redshift_<workgroup>_<database>`)."""
    from flightlake.explore.statements import named_tables
    from flightlake.explore.warehouse_tables import SCHEMA
    from flightlake.local.stack.service import redact

    if not any(str(name).startswith(f"{SCHEMA}.") for name in named_tables(text)):
        return ""
    return f"; {SCHEMA} tables from the local warehouse {redact(session.settings.warehouse_dsn or '')}"


def _show(rows: Rows, args: argparse.Namespace, started: float, scanned: str = "") -> None:
    """The result on screen (its first --max-rows rows, the rest only counted) or in --output."""
    from rich.table import Table

    from flightlake.explore.results import display_value, write_result

    out = console()
    if args.output:
        written = write_result(rows, args.output)
        summary = f"{written.rows:,} rows in {time.monotonic() - started:.2f} s{scanned}"
        out.print(f"{summary}; written as {written.format} to {args.output}", markup=False)
        return
    shown, count = Table(*rows.schema.names), 0
    for batch in rows.batches:
        wanted = args.max_rows - count
        if wanted > 0:
            for row in batch.slice(0, wanted).to_pylist():
                shown.add_row(*(display_value(value) for value in row.values()))
        count += batch.num_rows
    out.print(shown)
    more = f" (first {args.max_rows} shown; --output FILE for all)" if count > args.max_rows else ""
    out.print(f"{count:,} rows in {time.monotonic() - started:.2f} s{scanned}{more}", markup=False)


def _prompt(session: LakeSession, args: argparse.Namespace) -> int:
    """A small read-eval-print loop: statements end with ';', `\\d` lists the tables, `\\q` quits."""
    try:
        import readline  # noqa: F401  (line editing and history for input(), where the platform has it)
    except ImportError:
        pass
    out = console()
    out.print("flightlake sql: end a query with ';'; \\d lists the tables, \\q quits.", markup=False)
    lines: list[str] = []
    while True:
        try:
            line = input(MORE if lines else PROMPT)
        except EOFError:
            return 0
        if not lines and line.strip() in ("\\q", "exit", "quit"):
            return 0
        if not lines and line.strip() == "\\d":
            out.print("\n".join(session.known_tables()), markup=False)
            continue
        lines.append(line)
        if line.rstrip().endswith(";"):
            text, lines = "\n".join(lines), []
            try:
                _answer(session, text, args)
            except QueryError as error:
                out.print(f"error: {error}", markup=False)


def _athena(args: argparse.Namespace, settings: Settings, text: str | None) -> int:
    from flightlake.cli.data import deployed_target
    from flightlake.explore.athena import AthenaTarget, run_athena
    from flightlake.explore.results import Rows

    if text is None:
        raise QueryError("--env runs one query: give it as an argument, with --file or on standard input")
    target = deployed_target(args.env, settings)
    local = settings.glue_databases
    databases = {local[zone]: name for zone, name in target.settings.glue_databases.items()}
    where = AthenaTarget(target.names.athena_workgroup, databases)
    if args.explain:
        text = f"EXPLAIN {text.strip().rstrip(';')}"
    console().print(f"athena: workgroup {where.workgroup}", markup=False)
    started = time.monotonic()
    table, statistics = run_athena(target.clients.get("athena"), text, where)
    scanned = statistics.get("DataScannedInBytes")
    _show(Rows.of(table), args, started, f", {scanned:,} bytes scanned" if scanned is not None else "")
    return 0
