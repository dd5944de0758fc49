"""`flightlake run --data` given a FIFO, or a folder holding one under a year file's name, refuses
the year at once, naming the pipe; nothing waits for a writer that never comes. (`flightlake
ingest` is the corpus's: a FIFO given directly, in a folder, as a zip, and a device behind a
symlink.)"""

from __future__ import annotations

import os

import pytest

from flightlake.local.harness.run_data import DataChoice, prepare_data
from tests.reliability.corpus import NOT_REGULAR_FIX, READS_FILES

pytestmark = pytest.mark.integration
YEAR = 2017
FIFO = f"it is a FIFO (named pipe), not a regular file: {READS_FILES}. Fix: {NOT_REGULAR_FIX}."


@pytest.mark.timeout(120)
def test_run_data_given_a_fifo_refuses_the_year_at_once(settings, tmp_path):
    pipe = tmp_path / "data"
    os.mkfifo(pipe)
    lines: list[str] = []
    refused = prepare_data(settings, (YEAR,), DataChoice(data_dir=pipe), echo=lines.append).refused
    assert refused == {YEAR: f"{pipe}: {FIFO}"}
    assert f"ingest     refused: {pipe}: {FIFO}" in lines


@pytest.mark.timeout(120)
def test_run_data_with_a_fifo_for_a_year_file_refuses_that_year_at_once(settings, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    os.mkfifo(folder / f"{YEAR}.csv")
    refused = prepare_data(settings, (YEAR,), DataChoice(data_dir=folder), echo=lambda line: None).refused
    assert refused == {YEAR: f"{YEAR}.csv: {FIFO}"}
