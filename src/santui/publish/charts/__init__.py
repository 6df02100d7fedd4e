"""Server-side SVG charts of the dashboard (docs/dashboard.md).

Pure Python, no Django: the modules here turn figures into geometry (scales, ticks, bins, paths,
tile positions) and the templates under ``publish/charts/`` write the SVG. Colours come from
CSS classes (``static/santui/charts.css``): the Content-Security-Policy allows no ``style``.

- ``text``: label widths (estimated) and wrapping
- ``figures``: one number format per chart, in the page's language (full or CLDR units)
- ``scales``: linear scales, nice ticks, date ticks
- ``binning``: the daily series in days, weeks, months or years; the 7-day average
- ``timeseries``: the cumulative and per-day charts
- ``bars``: horizontal bar charts of categories
- ``tilemap``: the tile-grid map of China's provinces
- ``panels``: small column charts (the context figures) and the share bar
"""
