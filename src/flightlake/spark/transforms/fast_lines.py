"""The fast path of the parse: well-formed lines typed at the speed of Spark's own CSV parser.

Nearly every line of a year file is a clean flight row. Those are tokenised and typed by Spark's
CSV parser (`from_csv`, the code behind `spark.read.csv`, here applied to the text reader's
lines so each keeps its position), and judged by one combined predicate. A line is `good` only
when the field-by-field checker (`raw_to_stage.parse`) would stage it with the very same values:

- the line has no space, backslash or NUL and is at most FAST_LINE_BYTES long: its tokens are
  then exactly its comma-separated fields, already trimmed (the CSV parser has quoting turned
  off, and these are the only characters it could treat otherwise), and it is short enough to
  have far fewer fields than the parser's column limit;
- the parser found 28 fields and could read every number (a malformed line gets `_corrupt`);
  a number it reads goes through `Double.parseDouble`, as the checker's cast does;
- every rule of the checker holds, as one predicate: FL_DATE a YYYY-MM-DD date of the year, the
  codes well-formed (and CANCELLATION_CODE one letter: anything else goes to the checker),
  whole numbers where they must be, 0.0 or 1.0 for the flags, each number within its range
  (`value_ranges.within_range`), the trailing column empty;
- it is not one of the lines the survey saw more than once (those go to the checker, which
  says which copy is a duplicate of which line).

Bytes that are not UTF-8 become U+FFFD when the parser decodes a line, which no rule above
accepts. Every other data line is `flagged`: the checker gives it its verdict and reason.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

from flightlake.lake import schemas
from flightlake.spark.transforms.raw_lines import Survey, is_data, row_id
from flightlake.spark.transforms.value_ranges import within_range

FAST_LINE_BYTES = 2048  # a flight row is ~150 bytes; longer lines go to the checker
_CORRUPT = "_corrupt"
_READ_AS = {"date": StringType(), "string": StringType(), "int": DoubleType(), "double": DoubleType(),
            "boolean": DoubleType()}  # fmt: skip
_CSV_OPTIONS = {"quote": "", "mode": "PERMISSIVE", "columnNameOfCorruptRecord": _CORRUPT}


def _token_schema() -> str:
    """The 28 Kaggle columns as the CSV parser reads them (numbers as doubles, like the
    checker's cast), then the column that holds a malformed line."""
    fields = [StructField(f"_{name}", _READ_AS[kind]) for name, kind in schemas.STAGE_COLUMNS]
    fields += [StructField("_trailing", StringType()), StructField(_CORRUPT, StringType())]
    return StructType(fields).simpleString()


def _all(conditions: list[Column]) -> Column:
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = combined & condition
    return combined


def _line_start(year: int) -> str:
    """The pattern of a line's first four fields: FL_DATE in the year, then the three codes. A
    line that starts so has, as its first token, a date in the checker's YYYY-MM-DD form."""
    return f"^{year}-[0-9]{{2}}-[0-9]{{2}},[A-Z0-9]{{2}},[^,]*,[A-Z0-9]{{3}},[A-Z0-9]{{3}},"


def _typed(name: str, kind: str) -> tuple[Column, list[Column]]:
    """A column's stage value from its token, computed as the checker computes it (whose shape
    checks `_line_start` has made), and the rules it must pass."""
    token = F.col(f"_{name}")
    if kind == "date":
        date = token.cast("date")
        return date, [date.isNotNull()]
    if kind == "string":
        return token, []
    if kind == "int":
        whole = F.when(token == F.floor(token), token.cast("int"))
        return whole, [token.isNull() | whole.isNotNull(), within_range(name, token)]
    if kind == "boolean":
        flag = F.when(token == 1, True).when(token == 0, False)
        return flag, [flag.isNotNull()]
    return token, [within_range(name, token)]


def verdicts(lines: DataFrame, survey: Survey, year: int) -> DataFrame:
    """Every line with its stage columns (meaningful where `good`), `good`, `flagged` (a data
    line the fast path does not stage), `repeated` (its key repeats in the file), `rid` (its
    row id, for its line number) and its `value`.

    Two projections: the parse first (one `from_csv` per line), then the typed columns and the
    predicate over its fields. The second holds the row id, which is non-deterministic: so Spark
    keeps a later `good` filter above it instead of pushing the predicate down and computing the
    typed columns twice (once for the filter, once for the output).
    """
    value = F.col("value")
    repeated = survey.repeated_hashes
    is_repeated = F.xxhash64(value).isin(repeated) if repeated else F.lit(False)
    parsed = lines.select(
        value,
        is_repeated.alias("repeated"),
        F.when(F.octet_length(value) <= FAST_LINE_BYTES, F.from_csv(value, _token_schema(), _CSV_OPTIONS)).alias("t"),
    ).select("value", "repeated", "t.*")
    typed: list[Column] = []
    rules = [
        value.rlike(_line_start(year)),  # FL_DATE, carrier, origin and destination well-formed
        F.col(_CORRUPT).isNull(),
        F.col("_trailing").isNull(),
        ~value.contains(" ") & ~value.contains("\\") & ~value.contains("\u0000"),
        F.col("_cancellation_code").isNull() | F.col("_cancellation_code").rlike("^[A-Z]$"),
        ~F.col("repeated"),
    ]
    for name, kind in schemas.STAGE_COLUMNS:
        column, checks = _typed(name, kind)
        typed.append(column.alias(name))
        rules.extend(checks)
    # Every rule holds only for a flight row of the year, never for a blank or header line; so
    # only lines that fail one are asked whether they are data at all.
    good = F.coalesce(_all(rules), F.lit(False))  # a rule on an empty field is null
    return parsed.select(
        *typed,
        good.alias("good"),
        (~good & is_data(value)).alias("flagged"),
        "repeated",
        row_id().alias("rid"),
        "value",
    )


def good_rows(judged: DataFrame, year: int) -> DataFrame:
    """The stage rows of the fast path. `rid >= 0` is always true, and it keeps the row id in
    the plan: pruned away, it would leave a deterministic projection the filter moves below."""
    return judged.where(F.col("good") & (F.col("rid") >= 0)).select(
        *[name for name, _ in schemas.STAGE_COLUMNS], F.lit(year).alias("year")
    )
