"""The method text for readers of reports (Markdown), in their language, from the translation catalogue.

``docs/methodology.md`` is the long form for evaluators; this is the short form every report
ends with. Each rule is one message, so a translator sees one paragraph at a time.
"""

from __future__ import annotations

from impact.core.i18n import N_, languages, texts
from impact.engine.progress import AT_RISK_TOLERANCE, ON_TRACK_TOLERANCE

__all__ = ["methodology_text", "methodology_texts"]

_HEADING = N_("Methodology")
_ITEMS = (
    N_("**Two dates:** the *reference date* (Stichtag) says which periods count: those that started "
       "on or before it. The *knowledge date* (Datenstand) says which submissions count: those received "
       "by then (a date means the end of that day, UTC). Per key (project, indicator, period, breakdown) "
       "the value received last wins (a correction); older values stay stored, so a re-run with the "
       "same two dates gives the same numbers."),
    N_("**Progress** = (value − baseline) / (target − baseline), for both directions, limited to "
       "0–100 %. Target bands: inside 100 %; outside 1 − distance to the nearest band edge / distance "
       "from the baseline to that edge. It uses the total of the latest period and the target valid "
       "on the reference date; progress against the original target is shown beside it."),
    N_("**Expected progress:** the path from the baseline through the milestones to the target, at "
       "the end of the latest reported period."),
    N_("**Status:** *on track* when progress ≥ expected − {on_track} percentage points; *at risk* "
       "when ≥ expected − {at_risk} points; otherwise *off track*. *No data* when there is no value "
       "or the last value is stale (more than two due periods old; a period is due 30 days after "
       "its end)."),
    N_("**Scores** per guiding idea, principle, future perspective, project and portfolio: weighted "
       "mean progress of the intended-effect indicators *with* a current value, always shown with "
       "**coverage** (share of indicators with a current value). Missing data never counts as zero; "
       "a group without data has no score and a coverage of 0 %. The portfolio pools all project × "
       "indicator pairs."),
    N_("**Impact ladder:** number of indicators and mean progress at output (steps 1–3), outcome "
       "(4–6) and impact (7)."),
    N_("**Completeness:** all due periods within the project runtime are expected; those without a "
       "total value are overdue."),
    N_("**Trend and forecast:** the trend is the robust Theil–Sen slope (units per year) over the "
       "last 24 values, from 4 values on. The forecast at the target date weighs three kinds of series "
       "— a line the values scatter around and return to, a random walk with drift, a line with one "
       "level shift — by how well each explains the values so far, and starts from the recent level. "
       "Its band is a 90 % prediction interval (uncertainty of level, slope and scatter, and of which "
       "kind the series is), clipped to the indicator's valid range; in a backtest on simulated series "
       "the true values fell inside it about nine times in ten. For cumulative counts the forecast is "
       "built from "
       "the increments, and neither forecast nor band falls below the last value. *Target unlikely* "
       "only when even the favourable end of the band misses the target."),
)


def methodology_text(lang: str) -> str:
    """The method section (Markdown: a heading and one bullet per rule) in ``lang``."""
    _ = texts(lang)
    items = [_(_ITEMS[0]), _(_ITEMS[1]), _(_ITEMS[2]),
             _(_ITEMS[3], on_track=round(ON_TRACK_TOLERANCE * 100), at_risk=round(AT_RISK_TOLERANCE * 100)),
             *(_(item) for item in _ITEMS[4:])]
    return f"### {_(_HEADING)}\n\n" + "\n".join(f"- {item}" for item in items) + "\n"


def methodology_texts() -> dict[str, str]:
    """:func:`methodology_text` for every available language (the ``METHODOLOGY`` mapping of 0.1)."""
    return {lang: methodology_text(lang) for lang in languages()}
