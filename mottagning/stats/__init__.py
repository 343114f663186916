"""Statistics and follow-up: the figures of a period, exports, the inflow watch and the
deadline breaches. Every figure is computed in SQL by `figures.compute_figures`; the CLI, the
dashboard and the exports all call it."""
