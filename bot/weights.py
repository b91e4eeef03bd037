"""Every ranking weight in one place, named and documented; tests/test_weights.py shows what each does.

Fused scores are weighted reciprocal ranks: a first place is worth DENSE / (RRF_K + 1) ≈ 0.016, and
neighbouring ranks differ by about 0.0003. The adjustments below are sized against that: 0.012 moves a
clause past some ten places, 0.002 past a few.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Weights:
    """The ranking weights (the defaults were measured on the development sets; see README)."""

    rrf_k: int = 60
    """Reciprocal-rank constant: larger flattens the difference between ranks."""
    dense: float = 1.0
    """Weight of the dense (embedding) ranking in the fusion."""
    lexical: float = 0.85
    """Weight of the lexical (character n-gram BM25) ranking; below dense, which reads colloquial wording better."""
    depth: int = 30
    """How many candidates each ranking contributes before fusion."""
    reserve: int = 10
    """When fewer of a ranking's candidates than this come from the notices that fit the question (its region
    or the nation; its year), look-alikes crowd them: the fitting notices are ranked among themselves."""

    cohort_match: float = 0.010
    """The notice is for the cohort (or year) the question names."""
    issue_year_match: float = 0.003
    """The notice was issued in the year the question names (but is for another cohort)."""
    recency: float = 0.0004
    """Per class year, when the question names none: newer notices first (the same for every clause of a notice)."""
    now_recency: float = 0.004
    """Per class year, when the question asks about now (今年, 最近) and names no year: the newest notice is the one
    meant, unless a much better clause is older (then the stale caveat says so)."""
    region_match: float = 0.012
    """The notice is for the province the question names."""
    other_region: float = 0.012
    """Another province's notice, when the question names a province (or says 全国): it does not apply."""
    regional_unasked: float = 0.002
    """A regional notice when the question names no region: national notices apply to everyone."""
    no_figure: float = 0.003
    """A clause with no figure or date, when the question asks 多少 or 什么时候."""
    issue_date: float = 0.03
    """The sign-off, when the question asks when the notice itself was issued (only the sign-off says)."""
    sign_off_date: float = 0.012
    """The sign-off, when the question asks for a contact or a date the sign-off gives (as for `sign_off`)."""
    sign_off: float = 0.006
    """The sign-off, when the question asks for a contact, phone or e-mail (and names no city the sign-off lacks:
    a city's contact is in the clause or attachment that lists the cities; and asks for no service line such as
    举报/投诉/热线, which clauses state)."""
    sign_off_unasked: float = 0.002
    """The sign-off, when nothing in the question points at it."""
    preamble: float = 0.004
    """The preamble, when the question asks about the notice's purpose or addressees."""
    preamble_unasked: float = 0.002
    """The preamble, when the question does not ask about the notice itself (and wants no figure)."""
    heading: float = 0.008
    """At most: the clause's heading is echoed by the question (scaled by the share echoed, from half up); only for
    notices that fit the year and region asked, when some do (an echoed heading must not outweigh the year)."""
    named_notice: float = 0.008
    """The question names the notice by its doc number or by words only its title has."""
    definition: float = 0.004
    """The clause defines a name the question asks the meaning of (“1131”服务，即…; …是指…)."""
    quoted: float = 0.012
    """Every name the question puts in quotes (“校园招聘月”) occurs in the clause."""
    rerank_depth: int = 8
    """How many fused hits are re-ranked by their best sentence."""
    rerank: float = 0.003
    """At most: the evidence of a clause's best sentence, relative to the best hit's."""


WEIGHTS = Weights()
