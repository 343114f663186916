"""The letter engine: frozen requests in (model.py), checked against the hard rules
(rules.py), filled from templates in resources/letters/ (templates.py) and rendered to a
deterministic PDF (render.py). No database and no Qt here."""
