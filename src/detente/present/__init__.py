"""How detente shows results: one style, one set of tables and figures for every view.

The command line, the HTML report and the dashboard all draw from here, so a number, a
colour or a chart reads the same in each.

* :mod:`detente.present.style` — colours, unit labels, number and date formats, chart
  specifications (no third-party imports);
* :mod:`detente.present.labels` — the scenario's names of its sides, supporters and
  variables, and its start: every label shown comes from there;
* :mod:`detente.present.charts` — the fan charts of the key outputs, for every side;
* :mod:`detente.present.summary` — medians and bands at chosen months, by model name;
* :mod:`detente.present.tables` — terminal tables (rich);
* :mod:`detente.present.rows` — rows of the report's HTML tables (plain strings);
* :mod:`detente.present.figures` — Plotly figures (the ``[report]`` extra), imported only
  when a figure is drawn;
* :mod:`detente.present.record` — which variables a view needs recorded.

The package imports none of its modules itself: ``import detente.present.style`` stays
as light as the command line's ``--help`` needs.
"""

from __future__ import annotations
