"""Small text helpers for rationale themes: words, stop words, language, keywords."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)

EN_STOP = frozenset("""
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers him his how i if in into is it its itself just
may me might more most much must my no nor not now of off on once only or other our ours out
over own same she should so some such than that the their theirs them then there these they
this those through to too under until up very was we were what when where which while who
whom why will with would you your yours us any every many very rather quite yes agree
agreed disagree comment comments none nothing see above same think believe option""".split())

FR_STOP = frozenset("""
a à afin ai aie aient ainsi alors au aucun aucune aussi autre autres aux avec avoir avons ayant
bien c ça car ce ceci cela celle celles celui ces cet cette chaque chez ci comme comment d dans
de des du donc dont elle elles en encore entre est et été être eu eux fait faire font ici il
ils j je l la le les leur leurs lui m ma mais me même mes moi mon ne ni nos notre nous on ont
ou où par parce pas peu peut plus pour pourrait pourraient qu quand que quel quelle quelles
quels qui s sa sans se serait seraient ses si son sont sous sur ta te tes toi ton tous tout
toute toutes très tu un une vers vos votre vous y d'accord accord oui non commentaire
commentaires rien voir idem pense crois option""".split())

STOP_WORDS = EN_STOP | FR_STOP
_FR_MARKERS = frozenset("""le la les des du et est une nos notre pour que qui dans au aux ce
cette cela sont pas avec sur être ne plus ou nous leur""".split())
_EN_MARKERS = frozenset("""the and of to is our for that would in with this be are it not
on as by from we their its or""".split())


def words(text: str) -> list[str]:
    """Lower-case words of ``text``, apostrophes split off (l'exercice → l, exercice)."""
    out: list[str] = []
    for match in _WORD.finditer(text.lower()):
        out.extend(w for w in re.split(r"['’]", match.group()) if w)
    return out


def content_words(text: str) -> list[str]:
    """Words of at least two letters that are not stop words."""
    return [w for w in words(text) if len(w) > 1 and w not in STOP_WORDS]


def language(text: str) -> str:
    """``"fr"`` when French function words outnumber English ones, otherwise ``"en"``."""
    found = words(text)
    fr = sum(w in _FR_MARKERS for w in found)
    en = sum(w in _EN_MARKERS for w in found)
    return "fr" if fr > en else "en"


def _terms(text: str) -> list[str]:
    """Unigrams and bigrams of content words (a stop word breaks a bigram)."""
    terms: list[str] = []
    previous: str | None = None
    for w in words(text):
        if len(w) < 3 or w in STOP_WORDS:
            previous = None
            continue
        terms.append(w)
        if previous is not None:
            terms.append(f"{previous} {w}")
        previous = w
    return terms


def class_keywords(groups: Sequence[Sequence[str]], top: int = 5) -> list[list[str]]:
    """The ``top`` terms of each group of texts by class-based TF-IDF.

    The weight of term t in group c is ``tf(t, c) / |c| * log(1 + A / f(t))``
    where ``|c|`` counts the group's terms, ``A`` is the mean number of terms
    per group and ``f(t)`` the term's frequency over all groups (Grootendorst,
    2022, BERTopic's c-TF-IDF); a plural ending in s or x counts with its
    singular when both occur.  A bigram needs two occurrences; a term that
    is a word of a chosen bigram, or a bigram holding a chosen word, is skipped.
    """
    counts = [Counter(t for text in texts for t in _terms(text)) for texts in groups]
    seen = {t for c in counts for t in c}
    fold = {t: t[:-1] for t in seen if t[-1:] in ("s", "x") and t[:-1] in seen}
    counts = [Counter({fold.get(t, t): 0 for t in c}) for c in counts] if fold else counts
    if fold:  # plurals counted with their singular ("canadians" -> "canadian")
        for folded, texts in zip(counts, groups, strict=True):
            folded.update(fold.get(t, t) for text in texts for t in _terms(text))
    total = Counter()
    for c in counts:
        total.update(c)
    mean_terms = sum(sum(c.values()) for c in counts) / max(len(counts), 1)
    out: list[list[str]] = []
    for c in counts:
        size = sum(c.values()) or 1
        scored = sorted(((n / size * math.log(1 + mean_terms / total[t]), t)
                         for t, n in c.items() if " " not in t or n >= 2),
                        key=lambda s: (-s[0], s[1]))
        chosen: list[str] = []
        for _, term in scored:
            if any(term in kept.split() or kept in term.split() for kept in chosen):
                continue
            chosen.append(term)
            if len(chosen) == top:
                break
        out.append(chosen)
    return out


def label_from(keywords: Sequence[str]) -> str:
    """A short readable name: the first two keywords, the first capitalised."""
    if not keywords:
        return ""
    text = ", ".join(keywords[:2])
    return text[:1].upper() + text[1:]
