"""The DAG's date range follows FLIGHTLAKE_YEARS, which each environment file sets for MWAA."""

from __future__ import annotations

import pytest

from tests.pipeline.test_dag import probe


@pytest.mark.parametrize(
    ("years", "start", "end"),
    [("2012-2014", "2012-01-01", "2014-12-31"), ("2016", "2016-01-01", "2016-12-31")],
)
def test_the_dag_covers_the_years_of_flightlake_years(tmp_path, years, start, end):
    dag = probe(tmp_path, FLIGHTLAKE_YEARS=years)
    assert dag["import_errors"] == {}
    assert dag["start"].startswith(start) and dag["end"].startswith(end)
