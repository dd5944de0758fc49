"""What people look at: the charts and the dashboard.

chart_canvas      drawing one airport's year (matplotlib, blitted onto a warm canvas)
charts            rendering every airport of a year in parallel, and the per-year index
chart_uploads     the year's charts into the reports zone, each as soon as it is drawn
dashboard         one self-contained HTML page built from the warehouse
dashboard_series  the daily figures behind its interactive chart, packed per year
airport_names     real names for airport codes (a shipped file)
"""
