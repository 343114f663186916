"""The Swedish name and definition of every figure: the dashboard's tooltips, the exports'
definition column and docs/statistics.md say the same thing."""

from __future__ import annotations

from dataclasses import dataclass

from mottagning.i18n import _


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    definition: str
    kind: str  # "count", "share" (0–1) or "days"
    # Counted in children (items): a count of 1–4, or a share with fewer than 5 children
    # behind it, is shown as "<5" in a publication export.
    denominator: str | None = None


HEADLINE: tuple[Definition, ...] = (
    Definition("reports_received", _("Inkomna anmälningar"),
               _("Anmälningar mottagna under perioden. En anmälan om tre barn räknas som en anmälan."),
               "count"),
    Definition("children", _("Barn"),
               _("Olika barn som någon anmälan under perioden gäller. Ett barn med flera anmälningar räknas en gång."),
               "count"),
    Definition("queue_items", _("Barnärenden"),
               _("Barn per anmälan: en anmälan om tre barn ger tre barnärenden. Tidsfrister och beslut räknas per barnärende."),
               "count"),
    Definition("children_with_2_plus_reports_12m", _("Barn med upprepade anmälningar (2+)"),
               _("Barn i periodens anmälningar som har minst 2 anmälningar under de 12 månader som slutar med periodens sista dag."),
               "count"),
    Definition("children_with_5_plus_reports_12m", _("Barn med upprepade anmälningar (5+)"),
               _("Som ovan, minst 5 anmälningar under 12 månader."), "count"),
    Definition("protection_within_24h", _("Skyddsbedömning inom 24 timmar"),
               _("Andel av barnärendena vars skyddsbedömning är gjord eller borde vara gjord (24 timmar har gått) där den avslutades senast 24 timmar efter mottagandet. En skyddsbedömning som saknas räknas som sen."),
               "share", "protection_assessments_due"),
    Definition("protection_overdue", _("Skyddsbedömningar som saknas efter 24 timmar"),
               _("Barnärenden utan avslutad skyddsbedömning där 24 timmar har gått."), "count"),
    Definition("decisions", _("Fattade beslut"),
               _("Barnärenden med ett signerat beslut. Ett rättat beslut räknas en gång."), "count"),
    Definition("share_investigated", _("Andel som ledde till utredning"),
               _("Andel av de fattade besluten där beslutet (efter eventuell rättelse) är att inleda utredning. Nämnaren är alla fyra utfallen."),
               "share", "decisions"),
    Definition("decisions_within_14_days", _("Beslut inom 14 dagar"),
               _("Andel av barnärendena vars beslut är fattat eller borde vara fattat där beslutet signerades senast dag 14 efter mottagandet. Tiden räknas från den första signaturen, även om beslutet senare rättats."),
               "share", "decisions_due"),
    Definition("decisions_with_extension", _("Beslut inom förlängd tid"),
               _("Andel av samma barnärenden som inte hann inom 14 dagar men som har en signerad förlängning (synnerliga skäl) och är beslutade, eller ännu inom den förlängda tiden."),
               "share", "decisions_due"),
    Definition("decisions_late", _("Beslut efter tidsfristen"),
               _("Andel av samma barnärenden där beslutet kom, eller ännu saknas, efter den tidsfrist som gällde."),
               "share", "decisions_due"),
    Definition("decisions_overdue", _("Försenade, ännu inte beslutade"),
               _("Barnärenden utan signerat beslut där den gällande tidsfristen har gått ut."), "count"),
    Definition("extensions_signed", _("Signerade förlängningar"),
               _("Barnärenden där en senior har signerat förlängning av tiden för synnerliga skäl."), "count"),
    Definition("median_days_to_decision", _("Mediantid till beslut (dagar)"),
               _("Median av tiden från mottagandet till den första signaturen på beslutet, i dagar med en decimal."),
               "days", "decisions"),
    Definition("p90_days_to_decision", _("90:e percentilen, tid till beslut (dagar)"),
               _("Nio av tio beslut fattades inom så här många dagar (närmaste rang)."), "days", "decisions"),
    Definition("violence_flagged_items", _("Våldsmarkerade barnärenden"),
               _("Barnärenden där anmälan gäller våld (våld mot barn, bevittnat våld, sexuella övergrepp, hedersrelaterat, psykisk misshandel)."),
               "count"),
    Definition("violence_share_investigated", _("Våldsmarkerade: andel utredning"),
               _("Andel av de beslutade våldsmarkerade barnärendena där utredning inleddes."),
               "share", "violence_flagged_decisions"),
    Definition("feedback_within_limit", _("Återkoppling inom tidsgränsen"),
               _("Andel av återkopplingarna till anmälningsskyldiga som bett om det, och som är givna eller borde vara givna, där återkopplingen gavs senast på förfallodagen."),
               "share", "feedback_due"),
    Definition("feedback_overdue", _("Återkoppling försenad"),
               _("Återkopplingar som inte är givna fast förfallodagen har passerat."), "count"),
)

BREAKDOWNS: dict[str, tuple[str, str]] = {
    "reports_per_week_by_channel": (
        _("Anmälningar per vecka och kanal"),
        _("Inkomna anmälningar per ISO-vecka (svensk tid) och kanal.")),
    "reports_per_week_by_reporter_category": (
        _("Anmälningar per vecka och anmälarkategori"),
        _("Inkomna anmälningar per ISO-vecka (svensk tid) och anmälarens kategori.")),
    "reports_by_concern_category": (
        _("Anmälningar per orsak"),
        _("En anmälan med flera orsaker räknas en gång under varje orsak; summan kan bli större än antalet anmälningar.")),
    "child_reports_by_age_band": (
        _("Barnärenden per åldersgrupp"),
        _("Barnets ålder i hela år den dag anmälan kom (UTC-datum). Okänd när födelsedatum saknas.")),
    "child_reports_by_sex": (
        _("Barnärenden per kön"),
        _("Juridiskt kön enligt personnumrets näst sista siffra; okänt utan personnummer.")),
    "outcomes": (
        _("Beslut per utfall"),
        _("Fattade beslut per utfall, efter eventuell rättelse.")),
    "violence_flagged_outcomes": (
        _("Våldsmarkerade: beslut per utfall"),
        _("Beslutade våldsmarkerade barnärenden per utfall.")),
    "report_meetings": (
        _("Anmälningsmöten"),
        _("Periodens anmälningar vars anmälningsmöte erbjudits, bokats (eller hållits), hållits eller avböjts.")),
    "open_items_by_age": (
        _("Öppna barnärenden per ålder"),
        _("Alla barnärenden utan signerat beslut just nu, oavsett period, efter tid sedan mottagandet.")),
}

BY_KEY = {d.key: d for d in HEADLINE}

BUCKET_LABELS_SV = {
    "girl": "Flicka", "boy": "Pojke", "unknown": "Okänt",
    "under_1_day": "Under 1 dygn", "1_to_7_days": "1–7 dygn", "7_to_14_days": "7–14 dygn",
    "over_14_days": "Över 14 dygn",
    "offered": "Erbjudna", "booked": "Bokade", "held": "Genomförda", "declined": "Avböjda",
}
