"""What people look at: the charts and the dashboard.

chart_canvas   drawing one airport's year (matplotlib, blitted onto a warm canvas)
charts         rendering every airport of a year in parallel, and the per-year index
dashboard      one self-contained HTML page built from the warehouse
"""
