"""How calibration figures are written on screen: the same rounding as the CLI's table, so
what the screen shows can be checked against `mottagning calibration results --json`."""

from __future__ import annotations

from mottagning.assessment import ANSWER_LABELS, OUTCOME_LABELS


def number(value: float | None) -> str:
    """α with two decimals and a decimal comma; "–" when undefined."""
    return "–" if value is None else f"{value:.2f}".replace(".", ",").replace("-", "−")


def interval(bounds: tuple[float, float] | None) -> str:
    return "–" if bounds is None else f"{number(bounds[0])} – {number(bounds[1])}"


def share(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def answer_label(value: str | None) -> str:
    if value is None:
        return "–"
    return ANSWER_LABELS.get(value) or OUTCOME_LABELS.get(value) or value


def spread_text(spread: dict[str, int]) -> str:
    return ", ".join(f"{answer_label(value)} {count}"
                     for value, count in sorted(spread.items(), key=lambda kv: -kv[1]))
