"""Where each raw line is, and which lines repeat: what a verdict per line needs, in one pass.

Spark's text reader gives lines without their position. A reject must name its line, so one pass
over the file (`survey`) counts the lines of each input split, which gives every split's first
line number; a line's number is then its split's offset + its position within the split, exactly,
without a shuffle. The lines are those of one file (a year's raw partition holds one), whose
splits Spark numbers in file order. The same pass finds exact duplicate lines: a data line whose
128-bit hash (two xxhash64 of the text) was seen before is a duplicate of the first line that had
it. A collision of 128-bit hashes among the ~7 million lines of a year has odds of about 1e-25.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame, Observation
from pyspark.sql import functions as F

from flightlake.lake import schemas

_POSITION_BITS = 33  # monotonically_increasing_id: split << 33 | position within the split


@dataclass(frozen=True)
class Survey:
    """What one pass over the raw lines learned."""

    offsets: dict[int, int]  # input split -> lines before it in the file
    data_lines: int
    first_of_duplicate: dict[tuple[int, int], int] = field(default_factory=dict)  # line key -> first line number
    repeated_bytes: int = 0  # bytes of the lines whose key repeats (each copy, the first included)

    @property
    def repeated_hashes(self) -> list[int]:
        """The first half of each repeated key: enough to pick out every copy, and cheap to test."""
        return sorted({first for first, _ in self.first_of_duplicate})


def is_data(value: Column) -> Column:
    """Blank lines and header lines (with or without a byte-order mark) are not data rows; a
    header repeated inside a file (files concatenated) is skipped like the first one."""
    header = schemas.KAGGLE_HEADER
    return ~((F.length(F.trim(value)) == 0) | value.isin(header, "\ufeff" + header))


def line_key(value: Column) -> tuple[Column, Column]:
    """Two independent 64-bit hashes of a line's text: together, its identity."""
    return F.xxhash64(value), F.xxhash64(F.lit("flightlake"), value)


def row_id() -> Column:
    """Split and position of a `spark.read.text` row (`monotonically_increasing_id`). It is
    non-deterministic for Spark, so a projection holding it keeps later filters above it."""
    return F.monotonically_increasing_id()


def number_from_row_id(partition_offsets: dict[int, int], rid: Column) -> Column:
    """1-based line number of a row id, in its file (`partition_offsets` from `survey`)."""
    offsets = F.create_map(*[F.lit(x) for pair in sorted(partition_offsets.items()) for x in pair])
    split = F.shiftright(rid, _POSITION_BITS).cast("int")
    return offsets[split] + (rid - F.shiftleft(split.cast("long"), _POSITION_BITS)) + 1


def line_number(partition_offsets: dict[int, int]) -> Column:
    """1-based position of a `spark.read.text` row in its file (`partition_offsets` from `survey`)."""
    return number_from_row_id(partition_offsets, row_id())


def number_of(offsets: dict[int, int], rid: int) -> int:
    """The 1-based line number of a row id, in Python."""
    return offsets[rid >> _POSITION_BITS] + (rid & ((1 << _POSITION_BITS) - 1)) + 1


def survey(lines: DataFrame) -> Survey:
    """One scan of the lines: line counts per input split, and the repeated data lines.

    The split counts are observed metrics of the scan (one count per split, the number of splits
    is known before it runs); the repeated lines come from one aggregation over the data lines'
    keys, keeping only the keys seen more than once. The keys are shuffled before they are
    aggregated: nearly every key is unique, so a map-side partial aggregation would only copy
    them (measured: a fifth of the survey). Every aggregate buffer is a fixed-width number (the
    first occurrence is the smallest row id, which orders by split, then position), so Spark
    aggregates in its hash table; a struct-valued `min` would force a sort-based aggregation.
    """
    splits = lines.rdd.getNumPartitions()
    h1, h2 = line_key(F.col("value"))
    keyed = lines.select(
        F.spark_partition_id().alias("split"),
        row_id().alias("rid"),
        is_data(F.col("value")).alias("data"),
        h1.alias("h1"),
        h2.alias("h2"),
        F.octet_length("value").alias("bytes"),
    )
    counted = Observation("flightlake_survey")
    observed = keyed.observe(
        counted,
        F.count_if(F.col("data")).alias("data_lines"),
        *[F.count_if(F.col("split") == split).alias(f"split_{split}") for split in range(splits)],
    )
    repeated = (
        observed.where("data")
        .select("h1", "h2", "rid", "bytes")
        .repartition("h1", "h2")
        .groupBy("h1", "h2")
        .agg(F.count(F.lit(1)).alias("n"), F.min("rid").alias("first"), F.sum("bytes").alias("bytes"))
        .where("n > 1")
        .collect()
    )
    metrics = counted.get
    offsets: dict[int, int] = {}
    running = 0
    for split in range(splits):
        offsets[split] = running
        running += int(metrics[f"split_{split}"])
    return Survey(
        offsets,
        int(metrics["data_lines"]),
        {(r["h1"], r["h2"]): number_of(offsets, r["first"]) for r in repeated},
        sum(r["bytes"] for r in repeated),
    )


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
