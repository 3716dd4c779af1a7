"""EXCALIBUR .dtt/.rls reading and writing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _cooke_helpers import DATA, STUDIES, random_study, study

from analysis.cooke import load_study, read_dtt, read_rls, write_dtt, write_rls

HEADER = "* CLASS ASCII OUTPUT FILE. NQ=   3   QU=   5  50  95\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_quirks_of_real_files(tmp_path: Path) -> None:
    dtt = write(
        tmp_path,
        "q.DTT",
        HEADER
        + "    1   Ex.1    1  item   one log  1.0E+0000\t2.0E+0000  3.0E+0000 4600 years ago\n"
        + "\n"
        + "    1   Ex.1    2         T1 UNI -9.99500E+0002 -9.99500E+0002 -9.99500E+0002\n"
        + "    2   Ex.2    1   item one LOG  1.5E+0000  2.5E+0000  3.5E+0000\n"
        + "    2   Ex.2    2         T1 Uni  1.0E+0000  2.0E+0000  3.0E+0000 text 7 8 9\n",
    )
    rls = write(tmp_path, "q.rls", "    1 item one  2.2E+0000 LOG   question text\n\n")
    s = load_study(dtt, rls)
    assert s.experts == ("Ex.1", "Ex.2")
    assert s.items == ("item   one", "T1")
    assert s.scales == ("log", "uni")
    assert np.isnan(s.assessments[0, 1]).all()
    np.testing.assert_array_equal(s.assessments[1, 1], [1.0, 2.0, 3.0])
    assert s.realizations[0] == 2.2 and np.isnan(s.realizations[1])


def test_levels_come_from_the_header(tmp_path: Path) -> None:
    dtt = write(
        tmp_path,
        "h.dtt",
        "* CLASS ASCII OUTPUT FILE. NQ=   2   QU=  10\t90\n    1 A 1 x UNI 1.0 2.0\n",
    )
    np.testing.assert_allclose(read_dtt(dtt).quantiles, [0.1, 0.9])


def test_realizations_are_matched_by_id_not_number(tmp_path: Path) -> None:
    dtt = write(
        tmp_path,
        "m.dtt",
        HEADER
        + "    1 A 1 first UNI 1 2 3\n    1 A 2 second UNI 1 2 3\n"
        + "    1 A 3 third UNI 1 2 3\n",
    )
    rls = write(tmp_path, "m.rls", "    1 third 2.5 UNI\n    2 first -999.5 UNI\n")
    s = load_study(dtt, rls)
    assert np.isnan(s.realizations[:2]).all() and s.realizations[2] == 2.5


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("    1 A 1 x UNI 1.0 2.0\n", r"m\.dtt:2: expected"),
        ("    1 A 1 x UNI 3.0 2.0 1.0\n", r"m\.dtt:2: quantiles must increase strictly.*3\.0"),
        ("    1 A 1 x UNI 1.0 1.0 2.0\n", r"m\.dtt:2: quantiles must increase"),
        # the only assessment of x is partial, hence missing: nobody answered x
        ("\n    1 A 1 x UNI 1.0 -999.5 2.0\n", r"item 'x' was answered by no expert"),
        ("    1 A 1 x LOG -1.0 1.0 2.0\n", r"m\.dtt:2: LOG item needs positive"),
        ("    1 A 1 x UNI 1 2 3\n    1 A 1 x UNI 1 2 3\n", r"dtt:3: expert 'A' answers 'x'"),
        ("    1 A 1 x UNI 1 2 3\n    2 B 1 x LOG 1 2 3\n", r"m\.dtt:3: item 'x' is LOG"),
        ("    1 A 1 x MEH 1 2 3\n", r"m\.dtt:2: expected"),
    ],
)
def test_malformed_dtt_lines(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_dtt(write(tmp_path, "m.dtt", HEADER + body))


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("* CLASS ASCII OUTPUT FILE.\n", "expected a header"),
        ("* NQ=   3   QU=   5  50\n", "NQ=3 but 2 levels"),
        ("* NQ=   3   QU=   5  95  50\n", "increase strictly"),
    ],
)
def test_bad_headers(tmp_path: Path, header: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_dtt(write(tmp_path, "h.dtt", header + "    1 A 1 x UNI 1 2 3\n"))


def test_malformed_rls(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"r\.rls:2: expected"):
        read_rls(write(tmp_path, "r.rls", "    1 x 2.0 UNI\n    2 y abc UNI\n"))
    with pytest.raises(ValueError, match=r"r\.rls:2: item 'x  y' occurs twice"):
        read_rls(write(tmp_path, "r.rls", "    1 x y 2.0 UNI\n    2 x  y 3.0 UNI\n"))


def test_empty_dtt(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no assessment lines"):
        read_dtt(write(tmp_path, "e.dtt", HEADER))


@pytest.mark.parametrize("name", STUDIES)
def test_round_trip_reference_studies(tmp_path: Path, name: str) -> None:
    original = study(name)
    write_dtt(tmp_path / "s.dtt", original)
    write_rls(tmp_path / "s.rls", original)
    again = load_study(tmp_path / "s.dtt", tmp_path / "s.rls")
    assert again.experts == original.experts
    assert again.items == original.items
    assert again.scales == original.scales
    np.testing.assert_array_equal(again.quantiles, original.quantiles)
    np.testing.assert_array_equal(again.assessments, original.assessments)
    np.testing.assert_array_equal(again.realizations, original.realizations)


def test_round_trip_random_values(tmp_path: Path) -> None:
    original = random_study(3, 3, 5, n_seed=3)
    write_dtt(tmp_path / "r.dtt", original)
    write_rls(tmp_path / "r.rls", original)
    again = load_study(tmp_path / "r.dtt", tmp_path / "r.rls")
    np.testing.assert_array_equal(again.assessments, original.assessments)
    np.testing.assert_array_equal(again.realizations, original.realizations)


def test_write_rejects_long_ids(tmp_path: Path) -> None:
    s = random_study(1, 1, 2, 1)
    long = s.subset()
    object.__setattr__(long, "experts", ("much_too_long",))
    with pytest.raises(ValueError, match="much_too_long"):
        write_dtt(tmp_path / "x.dtt", long)


def test_reference_data_is_local() -> None:
    assert DATA.is_dir() and (DATA / "README.md").is_file()
