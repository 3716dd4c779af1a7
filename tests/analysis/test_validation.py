import numpy as np
import pandas as pd
import pytest

from analysis import validate_judgments
from tests.analysis._factories import make_judgments, tidy


def _one(**row):
    base = {"expert": "a", "option": "x", "criterion": "p", "kind": "probability",
            "value": 0.4}
    return tidy([{**base, **row}])


def test_defaults_and_estimate():
    out = validate_judgments(pd.DataFrame({"round": [1], "expert": [7], "option": ["x"],
                                           "criterion": ["c"], "kind": ["scale"],
                                           "value": [2]}))
    assert out.loc[0, "expert"] == "7"
    assert out.loc[0, "group"] == "all"
    assert out.loc[0, "weight"] == 1.0
    assert not out.loc[0, "abstained"]
    assert out.loc[0, "estimate"] == 2.0


def test_idea_best_is_the_estimate():
    out = validate_judgments(_one(value=np.nan, lowest=0.1, best=0.3, highest=0.6,
                                  confidence=0.8))
    assert out.loc[0, "estimate"] == 0.3


def test_abstained_rows_need_no_value_and_strings_parse():
    df = tidy([{"expert": "a", "option": "x", "criterion": "p", "kind": "scale",
                "value": np.nan, "abstained": "True"},
               {"expert": "b", "option": "x", "criterion": "p", "kind": "scale",
                "value": 1, "abstained": "false"}])
    out = validate_judgments(df)
    assert out["abstained"].tolist() == [True, False]
    assert np.isnan(out.loc[0, "estimate"])


def test_extra_columns_ignored_and_input_untouched():
    df = make_judgments(3, 2).assign(extra="zzz")
    before = df.copy()
    out = validate_judgments(df)
    assert "extra" not in out.columns
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize(("row", "column", "fragment"), [
    ({"value": np.nan}, "value", "NaN where a value is needed"),
    ({"value": 1.5}, "value", "[0, 1]"),
    ({"value": -0.1}, "value", "[0, 1]"),
    ({"kind": "ordinal"}, "kind", "kind must be one of"),
    ({"value": np.nan, "lowest": 0.5, "best": 0.3, "highest": 0.6, "confidence": 0.8},
     "lowest", "reversed IDEA bounds"),
    ({"value": np.nan, "lowest": 0.1, "best": 0.7, "highest": 0.6, "confidence": 0.8},
     "highest", "reversed IDEA bounds"),
    ({"value": np.nan, "lowest": 0.1, "best": 0.3, "highest": 0.6, "confidence": 0.4},
     "confidence", "[0.5, 1]"),
    ({"value": np.nan, "lowest": 0.1, "best": 0.3, "highest": 0.6}, "confidence",
     "IDEA four-step"),
    ({"abstained": "maybe"}, "abstained", "true/false"),
    ({"round": 1.5}, "round", "integer"),
    ({"expert": np.nan}, "expert", "NaN where a label"),
])
def test_bad_rows_are_named(row, column, fragment):
    good = _one(option="y")
    df = pd.concat([good, _one(**row)], ignore_index=True)
    with pytest.raises(ValueError) as info:
        validate_judgments(df)
    message = str(info.value)
    assert f"row 1 (column '{column}')" in message
    assert fragment in message
    assert "row 0" not in message


def test_missing_columns_listed():
    with pytest.raises(ValueError, match=r"missing column\(s\) \['kind', 'value'\]"):
        validate_judgments(pd.DataFrame({"round": [1], "expert": ["a"], "option": ["x"],
                                         "criterion": ["c"]}))


def test_duplicates_and_inconsistent_criteria():
    df = pd.concat([_one(), _one()], ignore_index=True)
    with pytest.raises(ValueError, match=r"row 1 \(column 'expert'\): duplicate"):
        validate_judgments(df)
    df = pd.concat([_one(), _one(expert="b", weight=2.0)], ignore_index=True)
    with pytest.raises(ValueError, match=r"criterion 'p' \(column 'weight'\): several weights"):
        validate_judgments(df)
    df = pd.concat([_one(), _one(expert="b", kind="scale", value=2)], ignore_index=True)
    with pytest.raises(ValueError, match="several kinds"):
        validate_judgments(df)


def test_index_labels_are_reported():
    df = _one(value=2.0)
    df.index = ["r-17"]
    with pytest.raises(ValueError, match="row 'r-17'"):
        validate_judgments(df)


def test_many_problems_are_summarised():
    df = pd.concat([_one(option=f"o{i}", value=2.0) for i in range(15)], ignore_index=True)
    with pytest.raises(ValueError, match="and 5 more problem"):
        validate_judgments(df)


def test_not_a_frame():
    with pytest.raises(ValueError, match="DataFrame"):
        validate_judgments([1, 2])  # type: ignore[arg-type]


def test_validated_judgments_skip_a_second_validation():
    from analysis import ValidatedJudgments, rank_options, risk_matrix

    df = pd.DataFrame({
        "round": 1, "expert": ["a", "a", "b", "b"], "option": ["x", "x", "x", "x"],
        "criterion": ["p", "v", "p", "v"], "kind": ["probability", "scale"] * 2,
        "value": [0.3, 2.0, 0.5, 1.0]})
    df = pd.concat([df, df.assign(option="y", value=[0.6, -1.0, 0.4, 0.0])],
                   ignore_index=True)
    valid = ValidatedJudgments.from_frame(df)
    assert validate_judgments(valid) is valid.frame
    assert ValidatedJudgments.from_frame(valid) is valid and len(valid) == 8
    direct, wrapped = rank_options(df, resamples=50, seed=1), rank_options(valid, resamples=50,
                                                                          seed=1)
    pd.testing.assert_frame_equal(direct.table, wrapped.table)
    assert direct.provenance == wrapped.provenance  # same data hash: the same validated rows
    risk = risk_matrix(valid, resamples=20, seed=1)
    pd.testing.assert_frame_equal(risk_matrix(df, resamples=20, seed=1).table, risk.table)
    assert list(valid.digests.values()) == [wrapped.provenance.input_sha256]  # hashed once
    assert risk.provenance.input_sha256 == wrapped.provenance.input_sha256
    with pytest.raises(ValueError, match="probability must lie in"):
        ValidatedJudgments.from_frame(df.assign(value=2.0))
