"""Which data each year of `flightlake run` runs on, and saying which.

- `--data PATH`: the user's files, ingested; a year they hold no accepted file for is refused.
- `--generate N` or `--seed S`: generated data for every year, ingested over whatever the lake
  holds; each year whose earlier raw file is replaced says so.
- neither: a year whose raw file is already in the lake (brought by `flightlake ingest` or an
  earlier run) runs on that file; data is generated only for the years that have none.

A run thus never replaces a file someone ingested unless told to. Each year's source ends up in
the summary: the raw file's name and sha256, and the generator and seed when this run made it.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flightlake.errors import FlightlakeError
from flightlake.local.stack.service import Echo
from flightlake.settings import Settings

if TYPE_CHECKING:
    from flightlake.lake.ingest_sources import IngestResult

DEFAULT_ROWS_PER_YEAR = 200_000
DEFAULT_SEED = 2009


@dataclass(frozen=True)
class DataChoice:
    """What the command line asked for; None everywhere: the lake's files, else the default data."""

    data_dir: Path | None = None
    rows_per_year: int | None = None
    seed: int | None = None

    @property
    def generates_all(self) -> bool:
        return self.data_dir is None and (self.rows_per_year is not None or self.seed is not None)

    @property
    def rows(self) -> int:
        return self.rows_per_year or DEFAULT_ROWS_PER_YEAR

    @property
    def generator_seed(self) -> int:
        return DEFAULT_SEED if self.seed is None else self.seed


@dataclass
class PreparedData:
    """The years that must not run (each with why), and where each other year's data came from."""

    refused: dict[int, str] = field(default_factory=dict)
    sources: dict[int, str] = field(default_factory=dict)


def generated_data_dir(settings: Settings, rows_per_year: int, seed: int) -> Path:
    return settings.state_dir / "data" / f"generated-{rows_per_year}-seed{seed}"


def raw_head(settings: Settings, year: int) -> dict[str, Any] | None:
    """The lake's raw object of `year` (head_object's answer), or None."""
    from flightlake.lake.aws import client, object_exists
    from flightlake.lake.tables import RAW_FLIGHTS, raw_object_key

    return object_exists(client("s3", settings), RAW_FLIGHTS.bucket(settings), raw_object_key(settings, year))


def describe(head: dict[str, Any]) -> str:
    """A raw object as the user knows it: the file's name and its content's identity."""
    from flightlake.lake.provenance import identity_of

    name = head.get("Metadata", {}).get("source-name") or "a file"
    return f"{name} ({identity_of(head).replace(':', ' ', 1)})"


def prepare_data(settings: Settings, years: tuple[int, ...], choice: DataChoice, echo: Echo) -> PreparedData:
    """Get each year's data into the lake as `choice` says; see the module's docstring."""
    from flightlake.lake.provenance import identity_of

    before = {year: head for year in years if (head := raw_head(settings, year)) is not None}
    prepared = PreparedData()
    generated: tuple[int, ...] = ()
    if choice.data_dir is not None:
        source, paths, asked = choice.data_dir, [choice.data_dir], years
    else:
        generated = years if choice.generates_all else tuple(y for y in years if y not in before)
        for year in (y for y in years if y not in generated):
            echo(f"data       {year}: the lake's raw file, {describe(before[year])} (--generate or --data replaces it)")
        source = generated_data_dir(settings, choice.rows, choice.generator_seed)
        paths, asked = _generate(source, generated, choice, echo), generated
    if asked:
        prepared.refused = _ingest(settings, paths, asked, source, echo)
    for year in (y for y in years if y not in prepared.refused):
        now = raw_head(settings, year) if year in asked else before[year]
        if now is None:  # ingest said it was accepted: the lake must hold it
            raise FlightlakeError(f"{year}: the raw zone holds no file after the ingest; run again")
        prepared.sources[year] = _source(year, now, year in generated, choice)
        replaced = before.get(year)
        if year in asked and replaced is not None and identity_of(replaced) != identity_of(now):
            echo(f"data       {year}: replaced the lake's earlier raw file, {describe(replaced)}")
    return prepared


def lake_sources(settings: Settings, years: tuple[int, ...]) -> dict[int, str]:
    """What `backfill` runs each year on: the raw file the lake holds (a year without one fails
    in the DAG's check_raw, which says so)."""
    heads = {year: raw_head(settings, year) for year in years}
    return {year: f"{describe(head)}, already in the lake" for year, head in heads.items() if head is not None}


def _source(year: int, head: dict[str, Any], generated: bool, choice: DataChoice) -> str:
    if generated:
        made = f"generated, {choice.rows:,} rows, seed {choice.generator_seed}"
        return f"{made}: {describe(head)}"
    if choice.data_dir is not None:
        return f"{describe(head)} from {choice.data_dir}"
    return f"{describe(head)}, already in the lake"


def _generate(folder: Path, years: tuple[int, ...], choice: DataChoice, echo: Echo) -> list[Path]:
    """The generated files of `years` (made once per size and seed); a full disk said as such."""
    from flightlake.datagen import ensure_generated

    if not years:
        return []
    try:
        return ensure_generated(
            folder, years, choice.rows, choice.generator_seed, lambda line: echo(f"data       {line}")
        )
    except OSError as error:
        if error.errno != errno.ENOSPC:
            raise
        raise FlightlakeError(
            f"the disk holding {folder} is full: the generated data did not fit (nothing half-written is kept). "
            "Fix: free some space, or generate fewer rows (--generate), then run again"
        ) from error


def _ingest(settings: Settings, paths: list[Path], years: tuple[int, ...], source: Path, echo: Echo) -> dict[int, str]:
    """Ingest `paths` for `years`; returns the years refused, each with why."""
    from flightlake.lake.ingest import ingest
    from flightlake.local.harness.progress import byte_progress

    with byte_progress() as progress:
        results = ingest(settings, paths, progress, years=years)
    for result in results:
        note = f" ({'; '.join(result.notes)})" if result.notes else ""
        echo(f"ingest     {result.name}: {result.status}{note}")
    for result in results:
        if result.status == "refused":
            echo(f"ingest     refused: {result.error}")
    return refused_years(results, years, source)


def refused_years(results: list[IngestResult], years: tuple[int, ...], source: Path) -> dict[int, str]:
    """For each year without an accepted file among the ingest `results`, why: its own file's
    refusal, a refusal that concerns the whole input (no such folder, a zip that is not one),
    or that the input holds no file for it."""
    accepted = {r.year for r in results if r.status in ("uploaded", "unchanged")}
    general = [r.error for r in results if r.status == "refused" and r.year is None]
    refused: dict[int, str] = {}
    for year in (y for y in years if y not in accepted):
        own = [r.error for r in results if r.status == "refused" and r.year == year]
        if own or general:
            refused[year] = " ".join(own or general)
            continue
        skipped = [r.name for r in results if r.status == "skipped" and str(year) in Path(r.name).name]
        seen = f" (skipped there: {', '.join(skipped)})" if skipped else ""
        refused[year] = (
            f"{source} holds no {year} file{seen}. Fix: add {year}.csv to it, or run the file already in the "
            f"lake again: flightlake backfill --years {year}"
        )
    return refused
