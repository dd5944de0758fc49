"""`flightlake sql` streams its result: DuckDB hands it over in batches, the screen keeps the
first --max-rows rows and only counts the rest, and an output file is written batch by batch,
under a temporary name until it is whole. (Peak memory for 1M to 50M rows is a measurement,
made with /usr/bin/time -v, not an assertion here.)"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from flightlake.cli import main
from flightlake.explore.session import LakeSession
from flightlake.settings import load_settings

ROWS = 250_000  # three batches of DuckDB's result
QUERY = f"select i, i * 2 as doubled, concat('row ', i) as label from range({ROWS}) t(i)"


def test_a_result_comes_as_a_stream_of_batches_never_a_whole_table():
    with LakeSession(load_settings()) as session:
        rows = session.stream(QUERY, batch_rows=100_000)
        assert isinstance(rows.batches, Iterator)  # produced as they are read, not held
        sizes = [batch.num_rows for batch in rows.batches]
    assert sizes == [100_000, 100_000, 50_000]
    assert rows.schema.names == ["i", "doubled", "label"]


@pytest.mark.integration
def test_the_screen_shows_max_rows_and_counts_the_rest(embedded_stack, capsys):
    assert main(["sql", QUERY, "--max-rows", "7"]) == 0
    out = capsys.readouterr().out
    shown = [line for line in out.splitlines() if line.startswith("│")]
    assert [line.split("│")[3].strip() for line in shown] == [f"row {i}" for i in range(7)]
    assert f"{ROWS:,} rows in " in out and "(first 7 shown; --output FILE for all)" in out


@pytest.mark.integration
@pytest.mark.parametrize("extension", ["csv", "json", "parquet"])
def test_every_row_is_written_whatever_the_format(extension, embedded_stack, tmp_path, capsys):
    path = tmp_path / f"result.{extension}"
    assert main(["sql", QUERY, "--output", str(path)]) == 0
    assert f"{ROWS:,} rows in " in capsys.readouterr().out
    if extension == "csv":
        table = pacsv.read_csv(path)
    elif extension == "parquet":
        table = pq.read_table(path)
    else:
        records = json.loads(path.read_text())
        assert records[-1] == {"i": ROWS - 1, "doubled": 2 * (ROWS - 1), "label": f"row {ROWS - 1}"}
        assert len(records) == ROWS
        return
    assert table.num_rows == ROWS
    assert table.column("doubled").to_pylist()[-3:] == [2 * i for i in range(ROWS - 3, ROWS)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no .partial left


@pytest.mark.integration
def test_a_query_that_fails_midway_leaves_no_file(embedded_stack, tmp_path, capsys):
    path = tmp_path / "result.csv"
    failing = f"select cast(case when i > 150000 then 'x' else '1' end as int) from range({ROWS}) t(i)"
    assert main(["sql", failing, "--output", str(path)]) == 2
    assert "query failed: Could not convert string 'x' to INT32" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
