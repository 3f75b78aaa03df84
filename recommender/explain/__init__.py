"""Explanations of ranked programmes: exact SHAP values -> factor facts -> sentences.

The interface, for every caller (API, portal, batch outputs):

* The core explains an item as data. :class:`Explanation` holds ``base_value`` and
  every factor's :class:`Contribution` (``factor`` id, ``value``, ``facts``), largest
  first; ``base_value`` plus the values is the score (to 1e-6). ``facts`` are the
  firm's and the programme's values the sentence needs, e.g. ``{"capability":
  "cap_marketing", "own": 2.0, "peers": 3.4}`` (table in :mod:`.facts`). A
  recommendation's ``contrast`` ("why #1 over #2") is a list of Contributions too: the
  value is the difference, the facts are #1's.
* Eligibility reasons are data as well: :class:`recommender.eligibility.Reason`.
* Words come only from a :class:`Renderer`, one per language of :data:`LANGUAGES`
  (``renderer("en")``, ``renderer("ko")``): ``sentence(c)`` (description and effect,
  what the API's ``text`` holds), ``describe(c)`` (without the effect: contrast
  lines), ``factor_label(factor)`` (chart rows), ``effect(value)`` and
  :func:`effect_key`, ``reason(r)`` / ``reasons(rs)``.

SHAP values come from :class:`PathShap` (exact TreeSHAP, vectorised over a catalogue)
and are grouped into factors by :data:`GROUPING`.
"""

from recommender.explain.factors import FACTOR_OF, FACTORS, GROUPING, factor_contributions
from recommender.explain.facts import (
    FIRM_FACTORS,
    Contribution,
    Explanation,
    Facts,
    ProgrammeFacts,
    contrast,
    explanations,
    firm_facts,
)
from recommender.explain.render import LANGUAGES, Renderer, effect_key, phrases, renderer
from recommender.explain.treeshap import PathShap

__all__ = [
    "FACTORS",
    "FACTOR_OF",
    "FIRM_FACTORS",
    "GROUPING",
    "LANGUAGES",
    "Contribution",
    "Explanation",
    "Facts",
    "PathShap",
    "ProgrammeFacts",
    "Renderer",
    "contrast",
    "effect_key",
    "explanations",
    "factor_contributions",
    "firm_facts",
    "phrases",
    "renderer",
]
