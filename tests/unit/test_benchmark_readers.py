"""OR-Library and spopt readers: values as written, and one clear error for every bad file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from siting.errors import DataError
from siting.io.orlib import read_orlib_cap
from siting.io.spopt import read_spopt_network

# 2 sites, 3 customers: capacity fixed (×2), then demand + 2 costs per customer
TINY = """2 3
 10 100.
 20 200.
5 50. 60.
7 70. 80.
1 10. 20.
"""


def write(tmp_path: Path, text: str, name: str = "cap.txt") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(path: Path, **kw) -> str:
    with pytest.raises(DataError) as info:
        read_orlib_cap(path, **kw)
    message = str(info.value)
    assert len(message.splitlines()) == 1
    assert str(path) in message
    return message


def test_orlib_values_are_read_by_token(tmp_path):
    # line breaks carry no meaning: the same tokens on one line read the same
    for text in (TINY, " ".join(TINY.split())):
        prob = read_orlib_cap(write(tmp_path, text))
        assert prob.capacity.tolist() == [10, 20]
        assert prob.fixed_cost.tolist() == [100, 200]
        assert prob.demand.tolist() == [5, 7, 1]
        assert prob.cost.to_numpy().tolist() == [[50, 70, 10], [60, 80, 20]]
        assert prob.cost_per == "customer"


def test_truncated_file_names_file_and_token(tmp_path):
    path = write(tmp_path, TINY.rsplit(" ", 1)[0])  # drop the last cost
    msg = error_of(path)
    assert "token 15 (end of file, line 6)" in msg
    assert "ends after 14 tokens of the 15 the header implies" in msg
    assert "demand and 2 costs of customer 3" in msg and "truncated" in msg


def test_malformed_token_names_position_and_line(tmp_path):
    path = write(tmp_path, TINY.replace("70.", "7O."))
    msg = error_of(path)
    assert "token 11 (line 5)" in msg
    assert "the cost of serving customer 2 from site 1" in msg and "'7O.'" in msg


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 x\n", "token 2 (line 1): expected the number of customers n (a positive whole number)"),
        ("0 3\n", "token 1 (line 1): expected the number of sites m"),
        (TINY.replace("5 50.", "-5 50."), "token 7 (line 4): expected the demand of customer 1"),
        (TINY.replace("200.", "nan"), "token 6 (line 3): expected the fixed cost of site 2"),
        (TINY + "9\n", "token 16 (line 7): unexpected token '9' after the last customer"),
        ("", "the file ends after 0 tokens while reading the header"),
    ],
)
def test_malformed_files(tmp_path, text, expected):
    assert expected in error_of(write(tmp_path, text))


def test_missing_file(tmp_path):
    assert "cannot read the file" in error_of(tmp_path / "nope.txt")


def test_capacity_placeholder_needs_a_value(tmp_path):
    text = TINY.replace(" 10 100.", " capacity 100.").replace(" 20 200.", " capacity 200.")
    path = write(tmp_path, text)
    assert "pass capacity=..." in error_of(path)
    prob = read_orlib_cap(path, capacity=8000)
    assert prob.capacity.tolist() == [8000, 8000]
    assert prob.name == "cap-8000"
    assert read_orlib_cap(path, uncapacitated=True).capacity is None
    half = write(tmp_path, TINY.replace(" 10 100.", " capacity 100."), "half.txt")
    assert "1 of 2 capacities are the word 'capacity'" in error_of(half)
    assert "capacity= only substitutes" in error_of(write(tmp_path, TINY), capacity=5)
    assert "contradict" in error_of(path, capacity=5, uncapacitated=True)


def test_spopt_network_reader(tmp_path):
    (tmp_path / "d.csv").write_text('"NAME","POP2000"\n"060750101.00",10\n"060750102.00",30\n')
    (tmp_path / "s.csv").write_text(
        '"NAME","long","lat"\n"Store_1",-122.4,37.7\n"Store_2",-122.5,37.8\n'
    )
    (tmp_path / "x.csv").write_text(
        "distance,name,DestinationName\n"
        "100,Store_1,060750101.00\n200,Store_1,060750102.00\n300,Store_2,060750102.00\n"
    )
    prob = read_spopt_network(tmp_path / "d.csv", tmp_path / "s.csv", tmp_path / "x.csv")
    # names stay text (leading zeros kept) and are matched by name, not by row
    assert list(prob.customers) == ["060750101.00", "060750102.00"]
    assert prob.demand.tolist() == [10, 30]
    assert prob.cost.loc["Store_1"].tolist() == [100, 200]
    assert np.isnan(prob.cost.loc["Store_2", "060750101.00"])
    assert prob.site_lon.tolist() == [-122.4, -122.5]


def test_spopt_reader_errors(tmp_path):
    (tmp_path / "d.csv").write_text('"NAME","POP2000"\n"t1",10\n')
    (tmp_path / "s.csv").write_text('"NAME","long","lat"\n"S1",0,0\n')
    (tmp_path / "x.csv").write_text("distance,name,DestinationName\n1,S1,t1\n2,S1,t1\n")
    with pytest.raises(DataError, match=r"x.csv: the pair 'S1' → 't1' appears more than once"):
        read_spopt_network(tmp_path / "d.csv", tmp_path / "s.csv", tmp_path / "x.csv")
    with pytest.raises(DataError, match=r"d.csv: missing column\(s\) POP2010; columns present"):
        read_spopt_network(
            tmp_path / "d.csv", tmp_path / "s.csv", tmp_path / "x.csv", weight="POP2010"
        )
    (tmp_path / "x.csv").write_text("distance,name,DestinationName\n1,S9,t1\n")
    with pytest.raises(DataError, match=r"site 'S9' is not in s\.csv"):
        read_spopt_network(tmp_path / "d.csv", tmp_path / "s.csv", tmp_path / "x.csv")
