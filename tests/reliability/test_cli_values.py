"""Bad command-line values: a clear error and exit code 2 from argparse, before anything is
created (no state directory, no empty `generated--5-seed2009` folder, no output folder, no stack).
"""

from __future__ import annotations

import pytest

from flightlake.cli import main
from flightlake.local.harness.main_job import backfill
from flightlake.settings import SettingsError, load_settings


@pytest.fixture
def state_dir(tmp_path, monkeypatch):
    """A state directory that does not exist yet: whatever a command creates shows up there."""
    state = tmp_path / "state"
    monkeypatch.setenv("FLIGHTLAKE_STATE_DIR", str(state))
    monkeypatch.delenv("FLIGHTLAKE_YEARS", raising=False)
    return state


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--years", "1999"], "1999 is outside 2009-2018, the years the Kaggle data covers"),
        (["run", "--years", "2019"], "2019 is outside 2009-2018"),
        (["run", "--years", "2008-2010"], "2008 is outside 2009-2018"),
        (["run", "--years", ""], "'' names no year"),
        (["run", "--years", " , "], "expected a year, a range like 2009-2018, or a list"),
        (["run", "--years", "2014-2012"], "runs backwards"),
        (["run", "--generate", "-5"], "'-5': the row count must be at least 1"),
        (["run", "--generate", "0"], "'0': the row count must be at least 1"),
        (["run", "--generate", "many"], "is not a row count"),
        (["run", "--seed", "-1"], "'-1': expected a whole number, 0 or more"),
        (["run", "--seed", "1.5"], "expected a whole number"),
        (["backfill", "--years", "2019"], "2019 is outside 2009-2018"),
        (["backfill", "--years", ""], "names no year"),
        (["generate", "--years", "1999", "--out", "OUT"], "1999 is outside 2009-2018"),
        (["generate", "--rows-per-year", "-5", "--out", "OUT"], "the row count must be at least 1"),
        (["generate", "--seed", "-1", "--out", "OUT"], "expected a whole number, 0 or more"),
        (["generate", "--workers", "0", "--out", "OUT"], "expected a whole number, 1 or more"),
        (["evaluate", "--years", "2020"], "2020 is outside 2009-2018"),
        (["evaluate", "--rows-per-year", "0"], "the row count must be at least 1"),
    ],
)
def test_bad_value_exits_2_with_a_clear_message_and_creates_nothing(argv, message, state_dir, tmp_path, capsys):
    out = tmp_path / "out"
    argv = [str(out) if word == "OUT" else word for word in argv]
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert f"flightlake {argv[0]}: error: " in error and message in error, error
    assert "Traceback" not in error
    assert not state_dir.exists() and not out.exists()


@pytest.mark.parametrize("command", ["run", "backfill"])
def test_a_year_outside_the_dags_years_exits_2(command, state_dir, monkeypatch, capsys):
    """FLIGHTLAKE_YEARS narrows the DAG; a year outside it would get a DagRun with no task, which
    Airflow reports as a success."""
    monkeypatch.setenv("FLIGHTLAKE_YEARS", "2012-2014")
    with pytest.raises(SystemExit) as exited:
        main([command, "--years", "2015"])
    assert exited.value.code == 2
    assert "2015 is outside 2012-2014, the years of the flights_etl DAG (FLIGHTLAKE_YEARS)" in capsys.readouterr().err
    assert not state_dir.exists()


def test_years_outside_the_data_in_the_environment_are_a_configuration_error(state_dir, monkeypatch, capsys):
    monkeypatch.setenv("FLIGHTLAKE_YEARS", "2015-2019")
    assert main(["backfill"]) == 2
    assert "FLIGHTLAKE_YEARS: 2019 is outside 2009-2018" in capsys.readouterr().err
    assert not state_dir.exists()


def test_the_runner_refuses_a_year_outside_the_dag_before_starting_anything(state_dir):
    settings = load_settings({"FLIGHTLAKE_STATE_DIR": str(state_dir), "FLIGHTLAKE_YEARS": "2012-2014"})
    with pytest.raises(SettingsError, match="2009 is outside 2012-2014"):
        backfill(settings, (2009, 2013), echo=lambda line: None)
    assert not state_dir.exists()
