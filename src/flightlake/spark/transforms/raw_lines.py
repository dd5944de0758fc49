"""Where each raw line is, and which lines repeat: what a verdict per line needs, in one pass.

Spark's text reader gives lines without their position. A reject must name its line, so one pass
over the file (`survey`) counts the lines of each input split, which gives every split's first
line number; the parse then numbers lines as split offset + position within the split, exactly,
without a shuffle. The same pass finds exact duplicate lines: a data line whose 128-bit hash
(two xxhash64 of the text) was seen before is a duplicate of the first line that had it. A
collision of 128-bit hashes among the ~7 million lines of a year has odds of about 1e-25.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from flightlake.lake import schemas


@dataclass(frozen=True)
class Survey:
    """What one pass over the raw lines learned."""

    offsets: dict[int, int]  # input partition -> lines before it in its file
    data_lines: int
    first_of_duplicate: dict[tuple[int, int], int] = field(default_factory=dict)  # line key -> first line number


def is_data(value: Column) -> Column:
    """Blank lines and header lines (with or without a byte-order mark) are not data rows; a
    header repeated inside a file (files concatenated) is skipped like the first one."""
    header = schemas.KAGGLE_HEADER
    return ~((F.length(F.trim(value)) == 0) | value.isin(header, "\ufeff" + header))


def line_key(value: Column) -> tuple[Column, Column]:
    """Two independent 64-bit hashes of a line's text: together, its identity."""
    return F.xxhash64(value), F.xxhash64(F.lit("flightlake"), value)


def _position() -> Column:
    """0-based position of a row within its input partition: monotonically_increasing_id counts
    rows from partition_id << 33."""
    return F.monotonically_increasing_id() - F.shiftleft(F.spark_partition_id().cast("long"), 33)


def line_number(partition_offsets: dict[int, int]) -> Column:
    """1-based position of a `spark.read.text` row in its file (`partition_offsets` from `survey`)."""
    offsets = F.create_map(*[F.lit(x) for pair in sorted(partition_offsets.items()) for x in pair])
    return offsets[F.spark_partition_id()] + _position() + 1


def survey(lines: DataFrame) -> Survey:
    """One scan of the lines: line counts per input split, and the repeated data lines.

    A single GROUPING SETS aggregation (one read of the file): per (file, split) the line and
    skipped-line counts, per line key the count and the first occurrence, keeping only the keys
    seen more than once.
    """
    h1, h2 = line_key(F.col("value"))
    keyed = lines.select(
        F.input_file_name().alias("file"),
        F.spark_partition_id().alias("p"),
        _position().alias("pos"),
        F.when(is_data(F.col("value")), h1).alias("h1"),
        F.when(is_data(F.col("value")), h2).alias("h2"),
        is_data(F.col("value")).alias("data"),
    )
    view = f"flightlake_lines_{uuid.uuid4().hex}"
    keyed.createOrReplaceTempView(view)
    try:
        rows = lines.sparkSession.sql(
            f"""
            SELECT file, p, h1, h2, grouping_id() AS set_id, count(1) AS n,  -- set_id 3: (file, p); 12: (h1, h2)
                   sum(CAST(NOT data AS BIGINT)) AS skipped, min(named_struct('p', p, 'pos', pos)) AS first
            FROM {view}
            GROUP BY GROUPING SETS ((file, p), (h1, h2))
            HAVING grouping_id() = 3 OR (h1 IS NOT NULL AND count(1) > 1)
            """
        ).collect()
    finally:
        lines.sparkSession.catalog.dropTempView(view)
    splits = sorted((r for r in rows if r["set_id"] == 3), key=lambda r: (r["file"], r["p"]))
    offsets: dict[int, int] = {}
    running: dict[str, int] = {}
    data_lines = 0
    for row in splits:
        offsets[row["p"]] = running.get(row["file"], 0)
        running[row["file"]] = offsets[row["p"]] + row["n"]
        data_lines += row["n"] - (row["skipped"] or 0)
    repeated = {(r["h1"], r["h2"]): offsets[r["first"]["p"]] + r["first"]["pos"] + 1 for r in rows if r["set_id"] == 12}
    return Survey(offsets, data_lines, repeated)


def duplicate_of(survey: Survey, value: Column, number: Column) -> Column:
    """The line number this line repeats (null when it is the first of its text, or unique)."""
    if not survey.first_of_duplicate:
        return F.lit(None).cast("long")
    h1, h2 = line_key(value)
    firsts = F.create_map(
        *[F.lit(x) for (a, b), line in sorted(survey.first_of_duplicate.items()) for x in (f"{a}:{b}", line)]
    )
    first = firsts[F.concat_ws(":", h1.cast("string"), h2.cast("string"))]
    return F.when(is_data(value) & first.isNotNull() & (number != first), first)
