"""Defects `make check-aws` catches in seconds: each planted in a scratch copy, each found with its
file, line and construct."""

from __future__ import annotations

from pathlib import Path

from flightlake.local.aws_checks.glue_code import check_glue_code, shipped_files
from flightlake.local.aws_checks.redshift_rules import check_statements
from flightlake.local.aws_checks.sql_sources import all_statements
from tests.aws_parity.conftest import plant

TRANSFORM = "src/flightlake/spark/transforms/raw_lines.py"
SCHEMA = "postgres_init/01_schema.sql"
LOAD = "src/flightlake/warehouse/sql/load_airport_daily.sql"


def found(problems: list, where: str, *words: str) -> str:
    """The one problem at `where` (file:line), which must name every word."""
    texts = [str(problem) for problem in problems]
    matching = [text for text in texts if text.startswith(where + ":")]
    assert len(matching) == 1, texts
    assert all(word in matching[0] for word in words), matching[0]
    return matching[0]


def sql_problems(root: Path) -> list:
    return check_statements(all_statements(root))


def test_the_checkout_as_it_is_passes(glue_runtime):
    root = Path(__file__).resolve().parents[2]
    assert check_glue_code(root, glue_runtime) == [] and sql_problems(root) == []
    assert any(path.name == "run_step.py" or path.parent.name == "spark_jobs" for path in shipped_files(root))


def test_a_312_only_standard_library_call_in_a_transform(scratch, glue_runtime):
    line = plant(
        scratch, TRANSFORM, "from dataclasses import dataclass, field\n",
        "import itertools\nfrom dataclasses import dataclass, field\n\nPAIRS = itertools.batched\n",
    )  # fmt: skip
    found(check_glue_code(scratch, glue_runtime), f"{TRANSFORM}:{line + 3}", "'itertools.batched' member",
          "needs Python 3.12", "Glue 5.0 runs 3.11")  # fmt: skip


def test_a_312_only_typing_import_in_the_job_harness(scratch, glue_runtime):
    job = "src/flightlake/spark/job.py"
    line = plant(scratch, job, "import time\n", "import time\nfrom typing import override\n")
    found(check_glue_code(scratch, glue_runtime), f"{job}:{line + 1}", "'typing.override' member", "3.12")


def test_312_only_syntax_in_the_lake_code(scratch, glue_runtime):
    module = "src/flightlake/lake/schemas.py"
    text = (scratch / module).read_text()
    (scratch / module).write_text(text + "\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n")
    line = text.count("\n") + 3
    found(check_glue_code(scratch, glue_runtime), f"{module}:{line}", "not valid Python 3.11")


def test_an_import_of_a_module_glue_lacks_in_a_spark_step(scratch, glue_runtime):
    module = "src/flightlake/spark/transforms/stage_to_analytics.py"
    line = plant(scratch, module, "from pyspark.sql import Column, DataFrame\n",
                 "import sklearn\nfrom pyspark.sql import Column, DataFrame\n")  # fmt: skip
    found(check_glue_code(scratch, glue_runtime), f"{module}:{line}", "in the Glue 5.0 runtime fails with",
          "ModuleNotFoundError: No module named 'sklearn'", "glue-5.0-provided.txt")  # fmt: skip


def test_a_reserved_word_as_a_column_name(scratch):
    line = plant(scratch, SCHEMA, "    reason             VARCHAR(512),\n",
                 "    reason             VARCHAR(512),\n    tag                VARCHAR(16),\n")  # fmt: skip
    found(sql_problems(scratch), f"{SCHEMA}:{line + 1}", 'the reserved word "tag" as a name', "r_pg_keywords.html")


def test_a_text_column(scratch):
    line = plant(scratch, SCHEMA, "    reason             VARCHAR(512),", "    reason             TEXT,")
    found(sql_problems(scratch), f"{SCHEMA}:{line}", "a TEXT column", "reason TEXT", "VARCHAR(n)")


def test_a_jsonb_column_and_a_serial_key(scratch):
    line = plant(scratch, SCHEMA, "    run_id             VARCHAR(64)      NOT NULL,\n    year ",
                 "    run_id             BIGSERIAL,\n    extra              JSONB,\n    year ")  # fmt: skip
    problems = sql_problems(scratch)
    found(problems, f"{SCHEMA}:{line}", "a SERIAL column", "IDENTITY")
    found(problems, f"{SCHEMA}:{line + 1}", "a JSON or JSONB column", "SUPER")


def test_an_upsert_with_on_conflict(scratch):
    views = "postgres_init/02_views.sql"
    text = (scratch / views).read_text()
    (scratch / views).write_text(
        text + "\nINSERT INTO dw.pipeline_runs (run_id) SELECT 'x' WHERE FALSE\nON CONFLICT (run_id) DO NOTHING;\n"
    )
    found(sql_problems(scratch), f"{views}:{text.count(chr(10)) + 3}", "INSERT ... ON CONFLICT", "MERGE")


def test_a_merge_with_a_single_when(scratch):
    plant(scratch, LOAD, "WHEN NOT MATCHED THEN INSERT (\n    {insert_columns}, year, run_id, loaded_at\n"
          ") VALUES (\n    {insert_values}, :year, :run_id, :started_at\n)", "")  # fmt: skip
    text = (scratch / LOAD).read_text()
    merge = text[: text.index("MERGE INTO")].count("\n") + 1
    found(sql_problems(scratch), f"{LOAD}:{merge}", "a MERGE without exactly one WHEN MATCHED", "r_MERGE.html")


def test_a_parameter_without_a_cast_in_a_select_list(scratch):
    line = plant(scratch, LOAD, "    CAST(:year AS INTEGER),\n", "    :year,\n")
    found(sql_problems(scratch), f"{LOAD}:{line}", "the parameter :year has no type", "CAST(:year AS")


def test_a_parameter_the_load_gives_no_value(scratch):
    line = plant(scratch, LOAD, "WHERE run_id = :run_id;", "WHERE run_id = :run_id AND year = :the_year;")
    found(sql_problems(scratch), f"{LOAD}:{line}", "the parameter :the_year gets no value")


def test_a_parameter_standing_for_a_table_name_in_a_query(scratch):
    dashboard = "src/flightlake/reporting/dashboard.py"
    text = (scratch / dashboard).read_text()
    (scratch / dashboard).write_text(text + '\n_COUNT_SQL = "SELECT COUNT(*) FROM :table"\n')
    found(sql_problems(scratch), f"{dashboard}:{text.count(chr(10)) + 2}", "the parameter :table stands for a name")
