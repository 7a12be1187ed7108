"""The analysis namespace: every public name resolves, including those other packages use."""

from __future__ import annotations

import detente.analysis as analysis
from detente.scenario import load_scenario


def test_every_public_name_resolves_from_the_package():
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None, name
    assert analysis.__all__ == sorted(analysis.__all__, key=lambda n: (not n.isupper(),
                                                                       not n[0].isupper(), n))


def test_the_names_the_report_and_dashboard_need_are_public():
    assert {"Estimator", "as_scenario", "model_variables", "compare_variables",
            "outcomes_of"} <= set(analysis.__all__)
    sc = analysis.as_scenario("lanchester-bench")
    assert sc == load_scenario("lanchester-bench")
    names = analysis.model_variables(sc)
    assert {"blue.personnel", "red.personnel"} <= set(names)
    assert len(names) == len(set(names))
