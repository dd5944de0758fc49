"""Raw Kaggle CSV lines -> typed stage rows, or rejects with a reason: the field-by-field checker.

This is the slow path of the parse (`line_verdicts` decides which lines take it): every check is
a field of its own, so a rejected line gets the reason that names its first problem. We parse
the text lines ourselves instead of using Spark's CSV reader alone because the contract needs a
verdict for every line: the reader's PERMISSIVE mode silently turns a non-numeric delay into a
null, and DROPMALFORMED loses rows. The Kaggle files carry no quoting, so a line is its fields
joined by commas. Each line gets its 1-based line number in the file, so a reject can be traced
(`raw_lines`). Besides the shape and type of each field, two data-quality rules hold at this
boundary: a number outside its physically possible range (`value_ranges`), and an exact duplicate
of an earlier line ("duplicate of line N"), are rejects with their reason, counted like the rest.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from flightlake.lake import schemas
from flightlake.spark.transforms.raw_lines import Survey, duplicate_of, is_data, line_number
from flightlake.spark.transforms.value_ranges import range_problem

FIELD_COUNT = len(schemas.KAGGLE_COLUMNS)
_NUMERIC_KINDS = ("int", "double", "boolean")  # kinds read through a double cast first
_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"  # the cast alone would also take '2013-1-5' or a time
_REQUIRED = ("fl_date", "op_carrier", "origin", "dest", "cancelled", "diverted")
_CODE_PATTERN = {"op_carrier": "^[A-Z0-9]{2}$", "origin": "^[A-Z0-9]{3}$", "dest": "^[A-Z0-9]{3}$"}
_QUOTED_WITH_COMMA = r'(?:^|,) *("[^"]*,[^"]*")'  # a field in double quotes holding a comma


def _valid_utf8(text: Column) -> Column:
    """Spark's text reader keeps a line's bytes as they are; re-encoding through a Java string
    turns invalid sequences into U+FFFD, so the bytes differ exactly when the line was not UTF-8."""
    return text.cast("binary") == F.encode(text, "UTF-8")


def _clean_text(text: Column) -> Column:
    """The line with invalid bytes replaced, so Parquet readers can load it (the raw zone keeps
    the original bytes, and the line number points at them)."""
    return F.decode(F.encode(text, "UTF-8"), "UTF-8")


def _nullif_empty(value: Column) -> Column:
    return F.when(value == "", None).otherwise(value)


def _converted(trimmed: DataFrame) -> DataFrame:
    """Each field converted ONCE, in a projection of its own: `_v{i}` the text (null when empty),
    `_n{i}` its number for numeric columns, `_date` the flight date. Casting text is the costly
    part of parsing; referenced from several checks, an inlined cast would run several times."""
    columns = [F.col(c) for c in ("value", "_text", "_size", *_carried(trimmed))]
    for index, (_, kind) in enumerate(schemas.STAGE_COLUMNS):
        text = _nullif_empty(F.col(f"_f{index}"))
        columns.append(text.alias(f"_v{index}"))
        if kind in _NUMERIC_KINDS:
            columns.append(text.cast("double").alias(f"_n{index}"))
    date_text = _nullif_empty(F.col("_f0"))
    columns.append(F.when(date_text.rlike(_DATE_PATTERN), date_text.cast("date")).alias("_date"))
    columns.append(_nullif_empty(F.col(f"_f{FIELD_COUNT - 1}")).alias("_trailing"))
    return trimmed.select(*columns)


def _checked(index: int, name: str, kind: str, year: int) -> tuple[Column, list[Column]]:
    """The typed value of one field and the reasons it may be rejected, from `_converted` columns."""
    value, label = F.col(f"_v{index}"), name.upper()
    number = F.col(f"_n{index}") if kind in _NUMERIC_KINDS else None
    problems: list[Column] = []
    if name == "fl_date":
        typed = F.col("_date")
        problems.append(F.when(typed.isNull(), _not_a_date(value)))
        problems.append(F.when(F.year(typed) != year, F.format_string(f"FL_DATE %s is not in {year}", value)))
    elif kind == "int":
        typed = F.when(number == F.floor(number), number.cast("int"))
        problems.append(
            F.when(value.isNotNull() & typed.isNull(), F.format_string(f"{label} '%s' is not a whole number", value))
        )
    elif kind == "double":
        typed = number
        problems.append(
            F.when(value.isNotNull() & number.isNull(), F.format_string(f"{label} '%s' is not a number", value))
        )
    elif kind == "boolean":
        typed = F.when(number == 1, True).when(number == 0, False)
        problems.append(
            F.when(value.isNotNull() & typed.isNull(), F.format_string(f"{label} '%s' is not 0.0 or 1.0", value))
        )
    else:
        typed = value
        if name in _CODE_PATTERN:
            problems.append(
                F.when(
                    value.isNotNull() & ~value.rlike(_CODE_PATTERN[name]),
                    F.format_string(f"{label} '%s' is not a valid code", value),
                )
            )
    impossible = range_problem(name, number, value) if number is not None else None
    if impossible is not None:
        problems.append(impossible)
    if name in _REQUIRED:
        problems.insert(0, F.when(value.isNull(), F.lit(f"{label} is empty")))
    return typed, problems


def _not_a_date(value: Column) -> Column:
    """Why FL_DATE is no date: a day its month does not have ('2013-02-29'), or another form."""
    month = F.substring(value, 6, 2).cast("int")
    first_of_month = F.make_date(F.substring(value, 1, 4).cast("int"), month, F.lit(1))
    return F.when(
        value.rlike(_DATE_PATTERN) & month.between(1, 12),
        F.format_string(
            "FL_DATE '%s' does not exist: %s has %d days",
            value,
            F.date_format(first_of_month, "MMMM yyyy"),
            F.dayofmonth(F.last_day(first_of_month)),
        ),
    ).otherwise(F.format_string("FL_DATE '%s' is not a YYYY-MM-DD date", value))


def _wrong_field_count(text: Column, size: Column) -> Column:
    """Why a line has not 28 fields: a quoted field holding a comma (the Kaggle files carry no
    quoting, so its comma splits the line), named by its column; else the count."""
    quoted = F.regexp_extract(text, _QUOTED_WITH_COMMA, 1)
    before = F.left(text, F.position(quoted, text) - 1)  # the fields before it, each with its comma
    column = F.element_at(F.array(*[F.lit(name) for name in schemas.KAGGLE_COLUMNS]), F.size(F.split(before, ",", -1)))
    return F.when(
        quoted != "",
        F.format_string(
            f"%s '%s' is a quoted field, but the Kaggle files carry no quoting: its comma splits the line "
            f"into %d fields, expected {FIELD_COUNT}",
            F.coalesce(column, F.lit("a field")),
            quoted,
            size,
        ),
    ).otherwise(F.format_string(f"has %d fields, expected {FIELD_COUNT}", size))


def _carried(frame: DataFrame) -> tuple[str, ...]:
    """The line number, when the lines come numbered already (`line_verdicts.flagged_lines`)."""
    return ("line_number",) if "line_number" in frame.columns else ()


def parse(lines: DataFrame, survey: Survey, year: int) -> DataFrame:
    """Typed columns, `reason` (null for a good row), `line_number`, the raw `value`, `is_data`.

    Projections on purpose: the split line, the trimmed fields and their conversions are
    materialised as columns first (Spark does not inline a non-cheap expression referenced many
    times), so each line is split once and each field cast once, not once per check. The
    projection that numbers the lines is non-deterministic, so Spark cannot push the later
    `reason IS NULL` filters below it and evaluate every check twice; the duplicate check comes
    after it, on the numbered rows. Header and blank lines get `is_data = false` (the same test
    `survey` counts them with). Lines that come with a `line_number` keep it.
    """
    carried = _carried(lines)
    text = F.regexp_replace(F.col("value"), "^\ufeff", "")
    split = lines.select("value", *carried, text.alias("_text"), F.split(text, ",", -1).alias("_fields"))
    fields = F.col("_fields")
    field_columns = [F.trim(fields.getItem(i)).alias(f"_f{i}") for i in range(FIELD_COUNT)]
    converted = _converted(split.select("value", *carried, "_text", F.size(fields).alias("_size"), *field_columns))
    problems: list[Column] = [
        F.when(F.col("_size") != FIELD_COUNT, _wrong_field_count(F.col("_text"), F.col("_size"))),
        F.when(~_valid_utf8(F.col("value")), F.lit("contains bytes that are not UTF-8")),
        F.when(
            F.col("_trailing").isNotNull(),
            F.lit(f"the last column ({schemas.EMPTY_TRAILING_COLUMN}) is not empty: fields shifted?"),
        ),
    ]
    typed: list[Column] = []
    for index, (name, kind) in enumerate(schemas.STAGE_COLUMNS):
        value, checks = _checked(index, name, kind, year)
        typed.append(value.alias(name))
        problems.extend(checks)
    numbered = converted.select(
        *typed,
        F.coalesce(*problems).alias("_problem"),
        F.col("line_number") if carried else line_number(survey.offsets).alias("line_number"),
        "value",
        is_data(F.col("value")).alias("is_data"),
    )
    # The duplicate check reads the numbered column: a second, lazily evaluated numbering inside
    # it would count only the rows it is evaluated on.
    repeated = duplicate_of(survey, F.col("value"), F.col("line_number"))
    duplicate = F.when(repeated.isNotNull(), F.format_string("duplicate of line %d", repeated))
    names = [name for name, _ in schemas.STAGE_COLUMNS]
    return numbered.select(*names, F.coalesce("_problem", duplicate).alias("reason"), "line_number", "value", "is_data")


def good_rows(parsed: DataFrame, year: int) -> DataFrame:
    """Stage rows: every typed column plus the `year` partition column."""
    # `line_number > 0` is always true, and it matters: it keeps the non-deterministic numbering
    # in the plan, so column pruning cannot drop it and let Spark push this filter below the
    # parse, where it would evaluate every check once more per row (measured: 5x slower).
    kept = F.col("is_data") & F.col("reason").isNull() & (F.col("line_number") > 0)
    return parsed.where(kept).select(*[name for name, _ in schemas.STAGE_COLUMNS], F.lit(year).alias("year"))


def rejects(parsed: DataFrame, year: int, source_file: str) -> DataFrame:
    """Rejected lines as they were, with where they came from and why."""
    return parsed.where(F.col("is_data") & F.col("reason").isNotNull()).select(
        F.lit(source_file).alias("source_file"),
        F.col("line_number").cast("long").alias("line_number"),
        "reason",
        _clean_text(F.col("value")).alias("raw_line"),
        F.lit(year).alias("year"),
    )


def reason_kinds(reject_rows: DataFrame) -> DataFrame:
    """Rejects counted by kind of reason (the reason with quoted values blanked out)."""
    kind = F.regexp_replace(F.regexp_replace("reason", "'[^']*'", "'…'"), r"\d{4}-\d{2}-\d{2}", "…")
    return reject_rows.groupBy(kind.alias("kind")).count().orderBy(F.desc("count"), "kind")
