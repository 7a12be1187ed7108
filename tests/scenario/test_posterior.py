"""Joint posterior draws: a scenario's table of rows, how samples draw them, located errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.engine import simulate
from detente.errors import ScenarioError
from detente.results.schema import param_var
from detente.scenario import load_scenario
from detente.scenario.posterior import PosteriorDraws, read_posterior, write_posterior

A, B = "blue.effectiveness", "red.effectiveness"  # uniform(0.002, 0.008) 1/week each


def _with_posterior(bench_dict, write_scenario, tmp_path, csv: str, *,
                    weights: str | None = "weight"):
    (tmp_path / "bench.posterior.csv").write_text(csv)
    ref = {"file": "bench.posterior.csv", "note": "made by hand"}
    if weights is not None:
        ref["weights"] = weights
    bench_dict["posterior"] = ref
    return write_scenario(bench_dict)


def _params(sc, n: int, **kw) -> dict[str, np.ndarray]:
    res = simulate(sc, n_samples=n, seed=3, record=[], horizon=2, **kw)
    return {p: res[param_var(p)].values for p in sc.table.uncertain}


def test_samples_take_whole_rows_in_proportion_to_their_weights(
        bench_dict, write_scenario, tmp_path):
    rows = "blue.effectiveness,red.effectiveness,weight\n0.003,0.007,1\n0.005,0.004,3\n" \
           "0.0075,0.0021,0\n"
    sc = load_scenario(_with_posterior(bench_dict, write_scenario, tmp_path, rows))
    assert sc.draws is not None
    assert sc.draws.columns == (A, B)
    got = _params(sc, 2000)
    pairs = set(zip(got[A].tolist(), got[B].tolist(), strict=True))
    assert pairs == {(0.003, 0.007), (0.005, 0.004)}  # joint rows; weight 0 never drawn
    share = np.mean(got[A] == 0.005)
    assert abs(share - 0.75) < 0.01  # stratified over each block: nearly exact
    # the parameters the table leaves out keep their distributions and the same draws
    plain = load_scenario(write_scenario({k: v for k, v in bench_dict.items()
                                          if k != "posterior"}, "plain.yaml"))
    before = _params(plain, 2000)
    others = [p for p in sc.table.uncertain if p not in (A, B)]
    assert others
    for p in others:
        np.testing.assert_array_equal(got[p], before[p])
    assert len(np.unique(got[others[0]])) > 1000


def test_rows_are_the_same_whatever_the_processes(bench_dict, write_scenario, tmp_path):
    rows = "blue.effectiveness,red.effectiveness\n" + "".join(
        f"{0.002 + 0.00005 * k!r},{0.008 - 0.00005 * k!r}\n" for k in range(100))
    sc = load_scenario(_with_posterior(bench_dict, write_scenario, tmp_path, rows,
                                       weights=None))
    one = _params(sc, 300, block_size=64)
    two = _params(sc, 300, block_size=64, processes=2)
    for p in (A, B):
        np.testing.assert_array_equal(one[p], two[p])
    # equal weights: every row is used, and the pairs lie on the table's line
    assert np.allclose(one[A] + one[B], 0.010)
    first = _params(sc, 64, block_size=64)
    np.testing.assert_array_equal(first[A], one[A][:64])  # a prefix draws the same rows


@pytest.mark.parametrize(("csv", "where", "message"), [
    ("blue.efectiveness,weight\n0.003,1\n", ":1:1: blue.efectiveness:",
     "did you mean 'blue.effectiveness'"),
    ("weight,blue.effectiveness\n1,0.003\n1,0.09\n", ":3:3: blue.effectiveness:",
     "within [0.002, 0.008]"),
    ("blue.effectiveness,weight\n0.003,1\n0.004,-2\n", ":3:7: weight:",
     "a weight of 0 or more"),
    ("blue.effectiveness,weight\n0.003,0\n0.004,0\n", ":1:20: weight:",
     "every weight 0"),
    ("blue.effectiveness,red.effectiveness,weight\n0.003,,1\n", ":2:7: red.effectiveness:",
     "blank cell"),
    ("blue.effectiveness,weight\n0.003,x\n", ":2:7: weight:", "finite number, found 'x'"),
    ("blue.effectiveness\n0.003\n", ":1:1: posterior.weights:", "weight column 'weight'"),
    ("blue.effectiveness,weight\n", ":2:1:", "at least one row"),
])
def test_a_bad_table_is_located_in_its_file(bench_dict, write_scenario, tmp_path, csv, where,
                                             message):
    path = _with_posterior(bench_dict, write_scenario, tmp_path, csv)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    text = str(exc.value)
    assert f"bench.posterior.csv{where}" in text
    assert message in text


def test_a_missing_file_is_reported_where_the_scenario_names_it(bench_dict, write_scenario,
                                                                 tmp_path, invoke):
    bench_dict["posterior"] = {"file": "nowhere.csv"}
    path = write_scenario(bench_dict)
    with pytest.raises(ScenarioError, match=r"scenario.yaml:\d+:\d+: posterior.file: cannot "
                                            r"read the posterior draws .*nowhere.csv"):
        load_scenario(path)
    r = invoke("validate", str(path))
    assert r.code == 2
    assert "Traceback" not in r.output


def test_a_parameter_at_its_default_cannot_be_drawn(bench_dict, write_scenario, tmp_path):
    assert "mil_campaign_sd" not in bench_dict["parameters"]  # held at its default
    path = _with_posterior(bench_dict, write_scenario, tmp_path,
                           "mil_campaign_sd,weight\n0.1,1\n")
    with pytest.raises(ScenarioError, match="held at its default"):
        load_scenario(path)


def test_an_unknown_key_in_posterior_is_a_schema_problem(bench_dict, write_scenario):
    bench_dict["posterior"] = {"file": "x.csv", "weight": "w"}
    with pytest.raises(ScenarioError, match=r"posterior\.weight"):
        load_scenario(write_scenario(bench_dict))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(0.002, 0.008), st.floats(0.0, 1e6)), min_size=1,
                max_size=20).filter(lambda r: sum(w for _, w in r) > 0))
def test_written_draws_read_back_exactly(tmp_path_factory, rows):
    sc = load_scenario("lanchester-bench")
    path = tmp_path_factory.mktemp("post") / "p.csv"
    values = [v for v, _ in rows]
    weights = np.array([w for _, w in rows])
    write_posterior(path, {A: values}, weights)
    back = read_posterior(path, sc.table, weights="weight")
    assert back.column(A).tolist() == values
    np.testing.assert_allclose(back.weights, weights / weights.sum(), rtol=1e-15)
    picked = back.rows(np.linspace(0, 1, 101, endpoint=False))
    assert set(picked.tolist()) <= {i for i, w in enumerate(weights) if w > 0}


def test_draws_reject_values_of_the_wrong_shape():
    with pytest.raises(ValueError, match="shape"):
        PosteriorDraws("p.csv", ("a", "b"), np.zeros((3, 1)), np.ones(3) / 3)
