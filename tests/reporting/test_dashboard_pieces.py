"""The dashboard's daily figures are packed once per year: each year's report writes its own piece,
and the page is assembled from the pieces, not from every year's rows again."""

from __future__ import annotations

import pandas as pd
import pytest

from flightlake.anomalies import detect
from flightlake.lake.arrow_io import write_year
from flightlake.lake.tables import AIRPORT_DAILY_ANOMALIES, dashboard_series_key
from flightlake.reporting import dashboard
from tests.anomalies.test_anomalies import airport_year

pytestmark = pytest.mark.integration

YEARS = (2003, 2004)  # years of their own: no other test writes them


def _year(year: int) -> pd.DataFrame:
    daily = airport_year("BIG", 300, 1)
    moved = daily.assign(flight_date=[day.replace(year=year) for day in daily["flight_date"]])
    return detect(moved, year, "robust")


@pytest.fixture
def lake_years(settings, s3):
    frames = {year: _year(year) for year in YEARS}
    for year, frame in frames.items():
        write_year(settings, AIRPORT_DAILY_ANOMALIES, year, frame)
        s3.delete_object(Bucket=settings.zone("reports").bucket, Key=dashboard_series_key(settings, year))
    return frames


def test_a_year_packed_once_is_read_back_as_its_piece_not_packed_again(settings, s3, lake_years):
    bucket = settings.zone("reports").bucket
    first, second = YEARS
    written = dashboard.write_piece(settings, first)
    assert written == dashboard.series_piece(lake_years[first], first)
    # The stored piece is what the page gets, even though the lake's rows would pack otherwise.
    s3.put_object(Bucket=bucket, Key=dashboard_series_key(settings, first), Body=b'{"marker":1}')
    pieces = dashboard._pieces(settings, list(YEARS), {})
    assert pieces[first] == '{"marker":1}'
    # A year without a piece gets it packed from the lake, and kept.
    assert pieces[second] == dashboard.series_piece(lake_years[second], second)
    kept = s3.get_object(Bucket=bucket, Key=dashboard_series_key(settings, second))["Body"].read().decode()
    assert kept == pieces[second]


def test_the_page_embeds_each_years_piece_as_is():
    pieces = {2004: '{"year":2004}', 2003: '{"year":2003}'}
    page = dashboard.render_html({"years": []}, pieces)
    first = page.index('<script id="series-2003" type="application/json">{"year":2003}</script>')
    assert 0 < first < page.index('<script id="series-2004" type="application/json">{"year":2004}</script>')
