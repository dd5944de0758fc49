"""Detection quality: against the generator's ground truth, and on the real 2013 NYC flights."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from flightlake.anomalies import detect
from flightlake.anomalies.daily_reference import daily_from_csv
from flightlake.anomalies.evaluation import flagged_share
from tests.conftest import REPO

# Days the news reported as bad in New York in 2013: the 8-9 February blizzard (Nemo) and the
# 7-8 March nor'easter.
BLIZZARD = ("2013-02-08", "2013-02-09")
NOREASTER = "2013-03-08"


@pytest.fixture(scope="module")
def evaluate_output(tmp_path_factory) -> str:
    state = tmp_path_factory.mktemp("state")
    result = subprocess.run(
        [sys.executable, "-m", "flightlake", "evaluate", "--years", "2013", "--rows-per-year", "1500000", "--top", "5"],
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "FLIGHTLAKE_STATE_DIR": str(state), "HOME": str(state)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def f1(output: str, method: str, scope: str) -> float:
    line = next(line for line in output.splitlines() if line.startswith(method) and scope in line)
    return float(re.search(r"F1=(\d\.\d\d)", line).group(1))


def test_evaluate_prints_precision_recall_and_f1_per_method(evaluate_output):
    lines = [line for line in evaluate_output.splitlines() if "F1=" in line]
    assert len(lines) == 4
    assert all(re.search(r"precision=\d\.\d\d recall=\d\.\d\d F1=\d\.\d\d", line) for line in lines)
    assert {line.split()[0] for line in lines} == {"robust", "isolation_forest"}


def test_default_detector_reaches_f1_085_on_busy_airports_and_beats_isolation_forest(evaluate_output):
    busy = "50+ departures/day"
    assert f1(evaluate_output, "robust", busy) >= 0.85
    assert f1(evaluate_output, "robust", busy) > f1(evaluate_output, "isolation_forest", busy)
    assert f1(evaluate_output, "robust", "all airports") > f1(evaluate_output, "isolation_forest", "all airports")
    gap_line = next(line for line in evaluate_output.splitlines() if line.startswith("robust") and "gaps:" in line)
    reported, total, flagged = map(int, re.search(r"(\d+) of (\d+) .* gaps, (\d+) flagged", gap_line).groups())
    assert total > 0 and reported == total and flagged == 0


def test_evaluate_lists_the_top_nyc_days(evaluate_output):
    section = evaluate_output.split("real 2013 NYC flights", 1)[1]
    for airport in ("EWR", "JFK", "LGA"):
        assert re.search(rf"^{airport}: \d+ days flagged \(\d\.\d% of days\)$", section, re.M)
    assert section.count("2013-02-08") == 3


@pytest.fixture(scope="module")
def nyc_result(tmp_path_factory):
    from flightlake.datagen.nycflights import convert

    path = convert(tmp_path_factory.mktemp("nyc") / "2013.csv")
    return detect(daily_from_csv(path), 2013, "robust")


@pytest.mark.parametrize("airport", ["EWR", "JFK", "LGA"])
def test_nyc_flags_the_blizzard_and_about_3_to_6_percent_of_days(nyc_result, airport):
    days = nyc_result[nyc_result["origin_airport"] == airport]
    days = days.set_index(days["flight_date"].astype(str))
    flagged = set(days.index[days["is_anomaly"]])
    assert set(BLIZZARD) <= flagged
    assert NOREASTER in flagged
    assert "cancelled" in days.loc[BLIZZARD[0], "reason"]
    assert 0.025 <= flagged_share(nyc_result)[airport] <= 0.07
    top = days[days["is_anomaly"]].nlargest(3, "anomaly_score").index
    assert set(top) & {*BLIZZARD, NOREASTER}
