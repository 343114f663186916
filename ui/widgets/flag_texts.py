"""What each flag of a queue item means for this item, for the chips' tooltips: a chip
that says "Datakvalitet" must tell what is wrong, not repeat its label."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from mottagning.rules.codes import codes, concern_label


def _tr(text: str) -> str:
    return QCoreApplication.translate("FlagTexts", text)


def flag_explanation(flag: str, *, concern_codes: tuple[str, ...] = (),
                     data_quality_warnings: tuple[str, ...] = (),
                     reports_last_12_months: int | None = None) -> str:
    """One flag explained for the item at hand."""
    if flag == "immediate_danger":
        return _tr("Akut fara: anmälaren uppger att barnet är i akut fara. Gör "
                   "skyddsbedömningen först.")
    if flag == "violence":
        violent = [concern_label(c) for c in concern_codes if c in codes().violence_concerns]
        text = _tr("Våld: en utredning ska inledas utan dröjsmål, med riskbedömning.")
        if violent:
            text += " " + _tr("Anmälan gäller: {what}.").format(what=", ".join(violent))
        return text
    if flag == "repeat":
        if reports_last_12_months is not None:
            return _tr("Upprepad: barnet har {n} anmälningar de senaste 12 månaderna.").format(
                n=reports_last_12_months)
        return _tr("Upprepad: barnet har anmälts förut under de senaste 12 månaderna.")
    if flag == "data_quality":
        if data_quality_warnings:
            return _tr("Datakvalitet:") + "\n" + "\n".join(f"• {w}" for w in data_quality_warnings)
        return _tr("Datakvalitet: uppgifterna i anmälan behöver kontrolleras.")
    return flag


def flags_explanation(flags: tuple[str, ...] | list[str], **context) -> str | None:  # type: ignore[no-untyped-def]
    """Every flag of an item explained, one paragraph each (None without flags)."""
    if not flags:
        return None
    return "\n\n".join(flag_explanation(flag, **context) for flag in flags)
