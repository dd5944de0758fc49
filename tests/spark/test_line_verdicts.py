"""The two-path parse gives exactly the verdicts of the field-by-field checker alone.

`line_verdicts.stage` sends the well-formed lines down the fast path (`fast_lines`) and only the
flagged ones to the checker; `raw_to_stage.parse` over every line is the checker alone, the
parse as it was before the fast path existed. Both judge the same file: the staged rows (as a
multiset, typed), the rejects (line number, reason, raw line) and the Parquet schema must be
identical. The files: every row case of the reliability corpus, and a generated year (the bench
year's shape, smaller) with bad lines injected where they fall, lines that probe the fast path's
tokeniser, and duplicates, read in several splits so line numbers cross split boundaries.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from flightlake.lake.schemas import KAGGLE_COLUMNS
from flightlake.spark.transforms import line_verdicts
from flightlake.spark.transforms import raw_to_stage as checker
from flightlake.spark.transforms.raw_lines import survey
from tests.reliability.corpus import ROW_CASES, row_file

pytestmark = pytest.mark.integration

SPLIT_BYTES = 256 * 1024  # several input splits even for these small files
SOURCE = "s3://raw/year.csv"


def _field(line: str, name: str, value: str) -> str:
    fields = line.split(",")
    fields[KAGGLE_COLUMNS.index(name)] = value
    return ",".join(fields)


# Lines a CSV parser might read differently from a plain split on commas, or whose numbers
# `Double.parseDouble` reads in unusual ways: each must get the checker's verdict.
TOKENISER_PROBES = (
    lambda r: _field(r, "DEP_DELAY", "1e1"),
    lambda r: _field(r, "DEP_DELAY", "NaN"),
    lambda r: _field(r, "DEP_DELAY", "nan"),
    lambda r: _field(r, "DEP_DELAY", "Inf"),
    lambda r: _field(r, "DEP_DELAY", "-Inf"),
    lambda r: _field(r, "DEP_DELAY", "Infinity"),
    lambda r: _field(r, "DEP_DELAY", "-0.0"),
    lambda r: _field(r, "DEP_DELAY", "+5.0"),
    lambda r: _field(r, "DEP_DELAY", "5.0d"),
    lambda r: _field(r, "DEP_DELAY", "0x10p0"),
    lambda r: _field(r, "DEP_DELAY", "\t5.0"),
    lambda r: _field(r, "DEP_DELAY", "5.0\t"),
    lambda r: _field(r, "DEP_DELAY", " 5.0"),
    lambda r: _field(r, "DEP_DELAY", "5\\,0"),
    lambda r: _field(r, "DEP_DELAY", '"5.0"'),
    lambda r: _field(r, "DEP_DELAY", '"5,0"'),
    lambda r: _field(r, "DEP_TIME", "1337.5"),
    lambda r: _field(r, "DEP_TIME", "1e3"),
    lambda r: _field(r, "CRS_DEP_TIME", "0730"),
    lambda r: _field(r, "CANCELLED", "1"),
    lambda r: _field(r, "CANCELLED", "0.00"),
    lambda r: _field(r, "CANCELLATION_CODE", "AB"),
    lambda r: _field(r, "CANCELLATION_CODE", "a"),
    lambda r: _field(r, "CANCELLATION_CODE", "\\"),
    lambda r: _field(r, "CANCELLATION_CODE", "\u00e9"),
    lambda r: _field(r, "CANCELLATION_CODE", "A\u2028"),
    lambda r: _field(r, "ORIGIN", "EW\u2028"),
    lambda r: _field(r, "FL_DATE", r[:10] + "\u2028"),
    lambda r: _field(r, "FL_DATE", r[:4] + "-02-30"),
    lambda r: _field(r, "FL_DATE", r[:4] + "-1-05"),
    lambda r: _field(r, "Unnamed: 27", "\u0000"),
    lambda r: "\ufeff" + r,
    lambda r: "\u0000" + r,
    lambda r: r + "#",
    lambda r: "#" + r,
    lambda r: r + "," * 30_000,
    lambda r: r[:-1] + "x" * 3000 + ",",
    lambda r: _field(r, "CARRIER_DELAY", "x" * 3000),
)


def _staged_and_rejected(spark, path: Path, year: int, tmp: Path, two_paths: bool):
    lines = spark.read.text(str(path))
    lines_survey = survey(lines)
    stage_dir, rejects = tmp / ("fast" if two_paths else "checker"), []

    def write_stage(rows, append: bool) -> None:
        rows.write.mode("append" if append else "overwrite").parquet(str(stage_dir))

    if two_paths:
        verdicts = line_verdicts.stage(
            lines, lines_survey, year, SOURCE, write_stage, lambda rows: rejects.extend(rows.collect())
        )
    else:
        judged = checker.parse(lines, lines_survey, year)
        write_stage(checker.good_rows(judged, year), False)
        rejects.extend(checker.rejects(judged, year, SOURCE).collect())
        verdicts = None
    staged = spark.read.parquet(str(stage_dir))
    judged_rejects = sorted((r.line_number, r.reason, r.raw_line, r.source_file, r.year) for r in rejects)
    return staged, judged_rejects, verdicts, lines.rdd.getNumPartitions()


def _assert_same_verdicts(spark, path: Path, year: int, tmp: Path):
    """The two-path verdicts equal the checker's alone; returns them for further checks."""
    previous = spark.conf.get("spark.sql.files.maxPartitionBytes")
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(SPLIT_BYTES))
    try:
        fast, fast_rejects, verdicts, splits = _staged_and_rejected(spark, path, year, tmp, two_paths=True)
        slow, slow_rejects, _, _ = _staged_and_rejected(spark, path, year, tmp, two_paths=False)
    finally:
        spark.conf.set("spark.sql.files.maxPartitionBytes", previous)
    assert [(f.name, f.dataType) for f in fast.schema] == [(f.name, f.dataType) for f in slow.schema]
    assert fast.count() == slow.count() == verdicts.staged
    assert fast.exceptAll(slow).count() == 0 and slow.exceptAll(fast).count() == 0
    assert fast_rejects == slow_rejects and len(fast_rejects) == verdicts.rejected
    return verdicts, fast_rejects, splits


def test_every_corpus_row_case_gets_the_checkers_verdict(spark, tmp_path):
    data, expected = row_file()
    path = tmp_path / "2016.csv"
    path.write_bytes(data)
    verdicts, rejects, _ = _assert_same_verdicts(spark, path, 2016, tmp_path)
    assert len(rejects) == sum(line.outcome not in ("staged", "skipped (not a row)") for line in expected) > 30
    assert verdicts.staged > verdicts.flagged - verdicts.rejected  # most good rows never met the checker


@pytest.fixture(scope="module")
def bench_shaped_year(tmp_path_factory) -> tuple[Path, int]:
    """A generated year with every corpus row case, every tokeniser probe and duplicates injected
    at random lines; returns the file and how many lines were injected."""
    from flightlake.datagen import generate

    out = tmp_path_factory.mktemp("bench-shaped")
    generate([2018], rows_per_year=40_000, seed=11, out_dir=out)
    path = out / "2018.csv"
    header, *rows = path.read_text().splitlines()
    chance = random.Random(11)
    injected: list[str | bytes] = []
    for case in ROW_CASES:
        made = case.make(chance.choice(rows))
        injected.extend(made if isinstance(made, list) else [made])
    injected.extend(probe(chance.choice(rows)) for probe in TOKENISER_PROBES)
    injected.extend(chance.choice(rows) for _ in range(5))  # copies of existing rows
    lines: list[bytes] = [line.encode() for line in rows]
    for line in injected:
        lines.insert(chance.randrange(len(lines) + 1), line if isinstance(line, bytes) else line.encode())
    path.write_bytes(b"\n".join([header.encode(), *lines]) + b"\n")
    return path, len(injected)


def test_a_generated_year_with_injected_bad_lines_gets_the_checkers_verdict(spark, tmp_path, bench_shaped_year):
    path, injected = bench_shaped_year
    verdicts, rejects, splits = _assert_same_verdicts(spark, path, 2018, tmp_path)
    assert splits > 4 and any(reason.startswith("duplicate of line") for _, reason, *_ in rejects)
    assert 0 < verdicts.flagged <= 2 * injected  # the checker sees the injected lines (and first copies), not the year


@pytest.mark.parametrize(
    ("setting", "value", "reread"),
    [("REREAD_LIMIT", 0, "picked out by the fast path again"), ("OBSERVED_BYTES", 0, "read again by row id")],
)
def test_every_way_of_reaching_the_checker_gives_the_same_verdicts(
    spark, tmp_path, bench_shaped_year, monkeypatch, setting, value, reread
):
    monkeypatch.setattr(line_verdicts, setting, value)
    verdicts, _, _ = _assert_same_verdicts(spark, bench_shaped_year[0], 2018, tmp_path)
    assert reread in verdicts.reread
