"""Every raw line's verdict, from two paths: the fast path for the well-formed, the checker for the rest.

One pass over the file (`fast_lines`) writes the lines it accepts straight to the stage and
observes the rest, the flagged lines, as it goes. Only those go through the field-by-field
checker (`raw_to_stage.parse`), which stages the ones that are good after all (a value with
spaces around it, the first copy of a repeated line) and writes the others as rejects with their
reason and line number. The verdicts are the checker's own: the fast path accepts a line only
when the checker would stage it with the same values (`tests/spark/test_line_verdicts.py`
compares the two on the reliability corpus and on a generated year).

The flagged lines come to the checker without reading the file again whenever that can be done
in bounded memory: the copies of repeated lines, whose number and size the survey knows, are
observed with their text; other flagged lines are observed by row id and read again by it (a
scan of the text without parsing), or, beyond REREAD_LIMIT of them, picked out by running the
fast path once more.

Writing is the caller's (`write_stage`, `write_rejects`), so this module does no I/O itself.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from flightlake.spark.transforms import fast_lines
from flightlake.spark.transforms import raw_to_stage as checker
from flightlake.spark.transforms.raw_lines import Survey, number_from_row_id, number_of, row_id

REREAD_LIMIT = 100_000  # flagged lines read again by row id; beyond, the fast path picks them out again
OBSERVED_BYTES = 64 * 1024 * 1024  # repeated lines observed with their text up to this size

WriteStage = Callable[[DataFrame, bool], None]  # (rows, append)
WriteRejects = Callable[[DataFrame], None]


@dataclass(frozen=True)
class Verdicts:
    """What became of the data lines."""

    staged: int
    rejected: int
    flagged: int  # lines the checker judged
    reread: str  # how the flagged lines reached the checker


def stage(
    lines: DataFrame, survey: Survey, year: int, source_file: str, write_stage: WriteStage, write_rejects: WriteRejects
) -> Verdicts:
    """Write the year's stage rows and rejects; every data line ends up in exactly one of them."""
    judged = fast_lines.verdicts(lines, survey, year)
    with_text = 0 < survey.repeated_bytes <= OBSERVED_BYTES
    listed = _listed(with_text)
    observation = Observation(f"raw_to_stage_{year}")
    metrics = [
        F.count_if("good").alias("good"),
        F.count_if("flagged").alias("flagged"),
        F.count_if(listed).alias("listed"),
        # as text: an observed array comes back to Python as an opaque JVM object
        F.array_join(
            F.slice(F.collect_list(F.when(listed, F.col("rid"))), 1, REREAD_LIMIT + 1).cast("array<string>"), ","
        ).alias("listed_rids"),
    ]
    if with_text:
        copy = F.concat_ws(":", F.col("rid").cast("string"), F.base64(F.col("value").cast("binary")))
        metrics.append(
            F.array_join(F.collect_list(F.when(F.col("flagged") & F.col("repeated"), copy)), ",").alias("copies")
        )
    write_stage(fast_lines.good_rows(judged.observe(observation, *metrics), year), False)
    seen = observation.get
    fast, flagged = int(seen["good"]), int(seen["flagged"])
    if not flagged:
        return Verdicts(fast, 0, 0, "none")
    parts, how = _flagged_lines(lines, survey, year, seen, with_text)
    checked = checker.parse(reduce(DataFrame.unionByName, parts), survey, year).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        slow = checker.good_rows(checked, year)
        staged_after_all = slow.count()
        if staged_after_all:
            write_stage(slow, True)
        rejected = checked.where(F.col("is_data") & F.col("reason").isNotNull()).count()
        if rejected:
            write_rejects(checker.rejects(checked, year, source_file))
    finally:
        checked.unpersist()
    return Verdicts(fast + staged_after_all, rejected, flagged, how)


def _listed(with_text: bool) -> Column:
    """The flagged lines that reach the checker by row id: all of them, or, when the copies of
    repeated lines come observed with their text, the others."""
    return F.col("flagged") & ~F.col("repeated") if with_text else F.col("flagged")


def _flagged_lines(
    lines: DataFrame, survey: Survey, year: int, seen: dict, with_text: bool
) -> tuple[list[DataFrame], str]:
    """The flagged lines, numbered (`value`, `line_number`), and how they were found."""
    spark = lines.sparkSession
    parts: list[DataFrame] = []
    how: list[str] = []
    copies = [entry.split(":", 1) for entry in (seen.get("copies") or "").split(",") if entry] if with_text else []
    if copies:
        observed = _local_frame(
            spark,
            [number_of(survey.offsets, int(rid)) for rid, _ in copies],
            [base64.b64decode(text) for _, text in copies],
        )
        parts.append(observed.select(F.col("raw").cast("string").alias("value"), "line_number"))
        how.append(f"{len(copies)} copies of repeated lines observed")
    listed = int(seen["listed"])
    if listed:
        rids = [int(rid) for rid in (seen.get("listed_rids") or "").split(",") if rid]
        if len(rids) == listed <= REREAD_LIMIT:
            numbered = lines.select("value", row_id().alias("rid")).where(F.col("rid").isin(rids))
            how.append(f"{listed} read again by row id")
        else:
            again = fast_lines.verdicts(lines, survey, year)
            numbered = again.where(_listed(with_text) & (F.col("rid") >= 0)).select("value", "rid")
            how.append(f"{listed} picked out by the fast path again")
        parts.append(numbered.select("value", number_from_row_id(survey.offsets, F.col("rid")).alias("line_number")))
    return parts, "; ".join(how)


def _local_frame(spark: SparkSession, numbers: list[int], texts: list[bytes]) -> DataFrame:
    """Lines held in the driver as a DataFrame, handed to the JVM as Arrow (the session enables
    it): a row-by-row `createDataFrame` would start Python worker processes that then stay up,
    about 150 MB, for the sake of a few lines."""
    import pandas as pd

    frame = pd.DataFrame({"line_number": pd.Series(numbers, dtype="int64"), "raw": pd.Series(texts, dtype=object)})
    return spark.createDataFrame(frame, "line_number long, raw binary")
