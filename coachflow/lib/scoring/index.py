"""The quality-of-revenue index, 0–100: a weighted mean of six parts, each scaled to 0…1.

The parts and their scales:

- **attainment**: quota attainment capped at ``attainment_cap``, divided by the cap
  (``min(attainment, cap) / cap``), so selling past the cap earns nothing more;
- **margin**: margin won ÷ margin target, capped the same way with ``margin_cap``;
- **repeat**: the repeat-business share of won revenue (0…1);
- **nps**: the (shrunk) NPS moved from −100…100 to 0…1: ``(nps + 100) / 200``;
- **csat**: the (shrunk) CSAT share (0…1);
- **followups**: the follow-up resolution rate (0…1).

``index = 100 × Σ wᵢ·sᵢ / Σ wᵢ`` over the parts that exist for the rep. A part that is missing (no
quota, no answers, no cases) is left out and the remaining weights are renormalised, so a rep is
neither punished nor rewarded for a figure nobody can know. Weights that do not add up to 1 are
normalised (divided by their sum) and ``Weights.adjusted`` says so, for the page to tell.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields

PARTS = ("attainment", "margin", "repeat", "nps", "csat", "followups")
DEFAULT_WEIGHTS = {
    "attainment": 0.30,
    "margin": 0.15,
    "repeat": 0.15,
    "nps": 0.15,
    "csat": 0.15,
    "followups": 0.10,
}
DEFAULT_ATTAINMENT_CAP = 1.2
DEFAULT_MARGIN_CAP = 1.2


@dataclass(frozen=True)
class Weights:
    """The weights of the six parts, as an admin set them (any non-negative numbers)."""

    attainment: float = DEFAULT_WEIGHTS["attainment"]
    margin: float = DEFAULT_WEIGHTS["margin"]
    repeat: float = DEFAULT_WEIGHTS["repeat"]
    nps: float = DEFAULT_WEIGHTS["nps"]
    csat: float = DEFAULT_WEIGHTS["csat"]
    followups: float = DEFAULT_WEIGHTS["followups"]

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"a weight is a number of at least 0, not {value!r}")

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in PARTS}

    @property
    def total(self) -> float:
        return sum(self.as_dict().values())

    @property
    def adjusted(self) -> bool:
        """Whether the weights as set do not add up to 1 and were normalised."""
        return not math.isclose(self.total, 1.0, abs_tol=1e-9)

    def normalised(self) -> dict[str, float]:
        """The weights divided by their sum (all zero when they sum to zero)."""
        total = self.total
        return {name: (value / total if total else 0.0) for name, value in self.as_dict().items()}


@dataclass(frozen=True)
class Caps:
    attainment: float = DEFAULT_ATTAINMENT_CAP
    margin: float = DEFAULT_MARGIN_CAP

    def __post_init__(self) -> None:
        for value in (self.attainment, self.margin):
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"a cap is a number above 0, not {value!r}")


@dataclass(frozen=True)
class Inputs:
    """A rep's raw figures; None where there is nothing to go on."""

    attainment: float | None = None  # won ÷ revenue target
    margin: float | None = None  # margin won ÷ margin target
    repeat: float | None = None  # 0…1
    nps: float | None = None  # −100…100 (shrunk)
    csat: float | None = None  # 0…1 (shrunk)
    followups: float | None = None  # 0…1


@dataclass(frozen=True)
class Part:
    name: str
    raw: float
    score: float  # 0…1
    weight: float  # the weight it counted with, after renormalising over present parts


@dataclass(frozen=True)
class Index:
    """The index (None when no part exists or every present part weighs 0) and its parts."""

    value: float | None
    parts: tuple[Part, ...]
    missing: tuple[str, ...]


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def part_score(name: str, raw: float, caps: Caps) -> float:
    """One part scaled to 0…1 (see the module docstring)."""
    if name == "attainment":
        return _clamp(min(raw, caps.attainment) / caps.attainment)
    if name == "margin":
        return _clamp(min(raw, caps.margin) / caps.margin)
    if name == "nps":
        return _clamp((raw + 100.0) / 200.0)
    return _clamp(raw)


def quality_index(inputs: Inputs, weights: Weights, caps: Caps = Caps()) -> Index:
    """``100 × Σ wᵢ·sᵢ / Σ wᵢ`` over the parts present in ``inputs`` (see the module)."""
    normal = weights.normalised()
    present = {name: getattr(inputs, name) for name in PARTS if getattr(inputs, name) is not None}
    missing = tuple(name for name in PARTS if name not in present)
    weight_sum = sum(normal[name] for name in present)
    if not present or weight_sum <= 0:
        return Index(None, (), missing)
    parts = tuple(
        Part(name, float(raw), part_score(name, float(raw), caps), normal[name] / weight_sum)
        for name, raw in present.items()
    )
    value = 100.0 * sum(part.score * part.weight for part in parts)
    return Index(value, parts, missing)


def formula(weights: Weights, caps: Caps, labels: Mapping[str, str]) -> str:
    """The index formula with the weights in force (normalised), e.g. for the page and PDF::

    index = 100 × (0.30·min(attainment, 1.2)/1.2 + 0.15·min(margin, 1.2)/1.2 + …)
    """
    normal = weights.normalised()
    terms = []
    for name in PARTS:
        label = labels.get(name, name)
        if name == "attainment":
            term = f"min({label}, {caps.attainment:g})/{caps.attainment:g}"
        elif name == "margin":
            term = f"min({label}, {caps.margin:g})/{caps.margin:g}"
        elif name == "nps":
            term = f"({label} + 100)/200"
        else:
            term = label
        terms.append(f"{normal[name]:.2f}·{term}")
    return "index = 100 × (" + " + ".join(terms) + ")"
