"""Look-ahead: a forecast cites only what was public by its as-of date, a reconstruction only
values that refer to dates up to it, and whatever breaks that is listed, with the reason."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scenario_fakes import FAKE_MODULES, Writer, find, line_of, make_writer, mutate

from detente.errors import DataError, ScenarioError
from detente.scenario import builtin_names, json_schema, load_scenario
from detente.scenario.facts import FactTable, PartialDate, latest_date
from detente.scenario.lookahead import check_lookahead
from detente.scenario.schema import Reference

#: A small facts table: what each row's two dates make of it is in its key.
FACTS = FactTable.from_text("""\
key,value,unit,as_of,published,source,confidence,note
public_before,30000,persons/month,2023-10-31,2023-11-15,Agency A,high,
published_later,30000,persons/month,2023-11-30,2024-03-11,Agency B,high,estimate of 2024
published_blank,30000,persons/month,2023-11,,Agency C,low,no date found
public_in_november,30000,persons/month,2023-10,2023-11,Agency D,high,
public_in_december,30000,persons/month,2023-10,2023-12,Agency E,high,
refers_later,30000,persons/month,2024-02,2023-11-20,Agency F,high,a projection
""", name="fixture-facts.csv")

TEXT = """\
schema_version: 1
name: look
title: Look-ahead
sources:
  dated: {citation: "Agency report of November", published: 2023-11-03}
  history: {citation: "A history of the war", published: 2030, refers_to: 2024-06}
  undated: "A report without a date"
  calc: {citation: "Calibrated from the facts the notes name", derived: true}
time: {start: 2023-12-01, step_days: 7, horizon_steps: 10, war_began: 2022-02-24}
knowledge:
  kind: forecast
sides:
  blue: {name: Blue}
  red: {name: Red}
modules: [military]
parameters:
  blue.recruitment: {value: 30000, unit: persons/month, source: "fact:public_before"}
  blue.share: {value: 0.2, unit: fraction, source: "ref:dated"}
  shell_use: {value: 3, unit: thousand rounds/day, source: assumption, note: "a guess"}
policies:
  status_quo: {description: Carry on.}
"""


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    return make_writer(tmp_path)


def load(path: Path) -> Any:
    return load_scenario(path, modules=FAKE_MODULES, facts=FACTS)


def refused(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load(path)
    return info.value


def cite(text: str, source: str, *, param: str = "blue.recruitment") -> str:
    """The scenario with ``param`` citing ``source`` instead."""
    old = {"blue.recruitment": 'source: "fact:public_before"',
           "blue.share": 'source: "ref:dated"'}[param]
    return mutate(text, old, f'source: "{source}"')


def later(text: str, entries: dict[str, Any]) -> str:
    block = "".join(f"    {json.dumps(k)}: {json.dumps(v)}\n" for k, v in entries.items())
    return mutate(text, "  kind: forecast\n", "  kind: forecast\n  later:\n" + block)


def reconstruction(text: str) -> str:
    return mutate(text, "  kind: forecast\n", "  kind: reconstruction\n")


# --------------------------------------------------------------------------- forecasts
def test_the_fixture_loads_as_a_forecast_with_nothing_later(write: Writer) -> None:
    sc = load(write(TEXT))
    assert sc.knowledge.kind == "forecast"
    assert sc.as_of == dt.date(2023, 12, 1)
    assert sc.time.war_began == dt.date(2022, 2, 24)
    assert sc.hindsight == ()


def test_a_forecast_citing_a_fact_published_later_is_refused_at_the_field(write: Writer,
                                                                           ) -> None:
    text = cite(TEXT, "fact:published_later")
    path = write(text)
    p = find(refused(path), path="parameters.blue.recruitment.source",
             line=line_of(text, "blue.recruitment:"),
             contains=("fact published_later", "published 2024-03-11", "2023-12-01",
                       "knowledge.later"))
    assert str(p).startswith(f"{path}:{p.line}:")


def test_a_fact_with_a_blank_published_date_is_refused_in_a_forecast(write: Writer) -> None:
    find(refused(write(cite(TEXT, "fact:published_blank"))),
         path="parameters.blue.recruitment.source",
         contains=("fact published_blank", "published date is unknown", "2023-12-01"))


@pytest.mark.parametrize("named", ["fact published_later", "fact:published_later"])
def test_a_fact_named_only_in_a_note_is_checked(write: Writer, named: str) -> None:
    text = mutate(TEXT, 'note: "a guess"', f'note: "from {named}, widened"')
    find(refused(write(text)), path="parameters.shell_use.note",
         line=line_of(text, "shell_use:"),
         contains=("names in its note fact published_later", "published 2024-03-11"))


def test_prose_that_says_in_fact_is_not_a_citation(write: Writer) -> None:
    text = mutate(TEXT, 'note: "a guess"', 'note: "in fact a guess"')
    assert load(write(text)).hindsight == ()


def test_an_unknown_fact_named_in_a_note_is_refused(write: Writer) -> None:
    text = mutate(TEXT, 'note: "a guess"', 'note: "see fact:public_befor"')
    find(refused(write(text)), path="parameters.shell_use.note",
         contains=("fact:public_befor", "not a key", "did you mean 'public_before'"))


def test_a_month_counts_as_its_last_day(write: Writer) -> None:
    load(write(cite(TEXT, "fact:public_in_november")))  # 30 November: public by then
    find(refused(write(cite(TEXT, "fact:public_in_december"))),
         path="parameters.blue.recruitment.source", contains=("published 2023-12",))


def test_listed_in_later_it_loads_and_is_shown_with_its_reason(write: Writer) -> None:
    reason = "no estimate was public before December; the 2024 one is used, widened"
    text = later(cite(TEXT, "fact:published_later"), {"fact:published_later": reason})
    sc = load(write(text))
    (h,) = sc.hindsight
    assert (h.entry, h.reason, h.parameters) == ("fact:published_later", reason,
                                                 ("blue.recruitment",))
    assert "fact published_later (published 2024-03-11)" in h.text
    assert "2023-12-01" in h.text
    assert reason in h.text


def test_the_warning_names_the_fact_its_date_and_the_reason(write: Writer) -> None:
    import io

    from rich.console import Console

    from detente.cli._files import warn_hindsight

    reason = "no estimate was public before December"
    sc = load(write(later(cite(TEXT, "fact:published_later"),
                          {"fact:published_later": reason})))
    shown = io.StringIO()
    warn_hindsight(sc, Console(file=shown, width=400))
    assert shown.getvalue() == (
        "warning: look: hindsight: fact:published_later: fact published_later (published "
        "2024-03-11), after the as-of date 2023-12-01, used by blue.recruitment. Reason: "
        f"{reason}\n")


def test_a_parameter_in_later_covers_what_it_cites(write: Writer) -> None:
    text = later(cite(TEXT, "fact:published_later"), {"blue.recruitment": "the start's own"})
    (h,) = load(write(text)).hindsight
    assert h.entry == "blue.recruitment"
    assert h.sources == ("fact published_later (published 2024-03-11)",)


def test_a_stale_later_entry_is_refused(write: Writer) -> None:
    text = later(TEXT, {"fact:public_before": "just in case"})
    find(refused(write(text)), path="knowledge.later.fact:public_before",
         line=line_of(text, '"fact:public_before": "just'),
         contains=("was public by the as-of date 2023-12-01", "remove the entry"))


@pytest.mark.parametrize(("entry", "says"), [
    ("fact:published_later", "no parameter cites it"),
    ("ref:nowhere", "unknown entry 'ref:nowhere'"),
    ("blue.recruitmnt", "did you mean 'blue.recruitment'?"),
])
def test_an_entry_that_covers_nothing_says_why(write: Writer, entry: str, says: str) -> None:
    find(refused(write(later(TEXT, {entry: "a reason"}))), path=f"knowledge.later.{entry}",
         contains=(says,))


def test_undated_references_are_refused_in_a_forecast(write: Writer) -> None:
    find(refused(write(cite(TEXT, "ref:undated", param="blue.share"))),
         path="parameters.blue.share.source",
         contains=("reference undated", "no 'published' date", "derived: true"))
    find(refused(write(cite(TEXT, "Jane's, 2023", param="blue.share"))),
         path="parameters.blue.share.source", contains=("citation 'Jane's, 2023'",
                                                        "no date"))


def test_a_derived_reference_passes_and_its_notes_are_checked(write: Writer) -> None:
    text = cite(TEXT, "ref:calc", param="blue.share")
    load(write(mutate(text, "source: \"ref:calc\"}",
                      "source: \"ref:calc\", note: \"from fact public_before\"}")))
    bad = mutate(text, "source: \"ref:calc\"}",
                 "source: \"ref:calc\", note: \"from fact published_later\"}")
    find(refused(write(bad)), path="parameters.blue.share.note",
         contains=("fact published_later",))


def test_a_reference_published_later_is_refused_in_a_forecast(write: Writer) -> None:
    find(refused(write(cite(TEXT, "ref:history", param="blue.share"))),
         path="parameters.blue.share.source", contains=("reference history", "published 2030"))


def test_an_as_of_date_before_the_start_knows_less(write: Writer) -> None:
    text = mutate(TEXT, "  kind: forecast\n", "  kind: forecast\n  as_of: 2023-11-10\n")
    # Agency A's figure was out on 15 November, after the forecast's own date
    find(refused(write(text)), path="parameters.blue.recruitment.source",
         contains=("published 2023-11-15", "as-of date 2023-11-10"))


# --------------------------------------------------------------------------- reconstructions
def test_a_reconstruction_takes_later_publications_that_refer_to_the_past(write: Writer,
                                                                           ) -> None:
    sc = load(write(reconstruction(cite(TEXT, "fact:published_later"))))
    assert sc.knowledge.kind == "reconstruction"
    assert sc.hindsight == ()
    # an undated or free citation says nothing of the date it refers to
    load(write(reconstruction(cite(TEXT, "ref:undated", param="blue.share"))))


def test_a_reconstruction_refuses_a_fact_that_refers_to_a_later_date(write: Writer) -> None:
    find(refused(write(reconstruction(cite(TEXT, "fact:refers_later")))),
         path="parameters.blue.recruitment.source",
         contains=("fact refers_later", "refers to 2024-02", "2023-12-01", "own 'as_of'"))
    find(refused(write(reconstruction(cite(TEXT, "ref:history", param="blue.share")))),
         path="parameters.blue.share.source", contains=("refers to 2024-06",))


def test_a_parameters_own_as_of_overrides_its_sources(write: Writer) -> None:
    base = reconstruction(cite(TEXT, "fact:refers_later"))
    earlier = mutate(base, 'source: "fact:refers_later"}',
                     'source: "fact:refers_later", as_of: 2023-11}')
    assert load(write(earlier)).parameters["blue.recruitment"].as_of == PartialDate(2023, 11)
    # and the other way: a source of the past, a value that refers to later
    after = mutate(TEXT, 'source: "fact:public_before"}',
                   'source: "fact:public_before", as_of: 2024}')
    text = reconstruction(after)
    find(refused(write(text)), path="parameters.blue.recruitment.as_of",
         line=line_of(text, "blue.recruitment:"),
         contains=("the value refers to 2024", "2023-12-01"))
    listed = mutate(text, "  kind: reconstruction\n",
                    "  kind: reconstruction\n  later: {blue.recruitment: read from 2024}\n")
    (h,) = load(write(listed)).hindsight
    assert h.sources == ("its value (refers to 2024)",)


def test_without_knowledge_nothing_is_checked(write: Writer) -> None:
    text = mutate(cite(TEXT, "fact:published_later"), "knowledge:\n  kind: forecast\n", "")
    sc = load(write(text))
    assert sc.knowledge is None
    assert sc.as_of is None
    assert sc.hindsight == ()


def test_a_scenario_made_in_python_checks_itself(write: Writer) -> None:
    sc = load(write(later(cite(TEXT, "fact:published_later"),
                          {"fact:published_later": "why"})))
    fresh = sc.model_copy(update={"description": "copied"})
    assert "hindsight" not in fresh.__dict__
    found = check_lookahead(fresh, facts=FACTS)
    assert [h.entry for h in found.hindsight] == ["fact:published_later"]
    assert found.problems == ()
    # an earlier as-of date (a restart) knows less
    earlier = check_lookahead(fresh, facts=FACTS, as_of=dt.date(2023, 11, 1))
    assert {v.parameter for v in earlier.violations} == {"blue.recruitment", "blue.share"}


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(("old", "new", "path", "says"), [
    ("  kind: forecast\n", "  kind: forcast\n", "knowledge.kind",
     "expected 'forecast' or 'reconstruction', found 'forcast'"),
    ("published: 2023-11-03}", "published: 2023-13-45}", "sources.dated.published",
     "expected a date YYYY-MM-DD, a month YYYY-MM or a year YYYY, found '2023-13-45'"),
    ("published: 2023-11-03}", "published: soon}", "sources.dated.published",
     "found 'soon'"),
    ("  kind: forecast\n", "  kind: forecast\n  later: {blue.share: 5}\n",
     "knowledge.later.blue.share", "expected text, found 5"),
    ("  kind: forecast\n", "  kind: forecast\n  as_of: 2024-01-01\n", "knowledge.as_of",
     "on or before the start (2023-12-01)"),
    ("  kind: forecast\n", "  kind: forecast\n  as_of: next week\n", "knowledge.as_of",
     "expected a date YYYY-MM-DD"),
    ('dated: {citation: "Agency report of November", published: 2023-11-03}',
     "dated: {published: 2023-11-03}", "sources.dated.citation",
     "missing required key 'citation'"),
    ('dated: {citation: "Agency report of November", published: 2023-11-03}',
     "dated: 5", "sources.dated", "expected a citation (text) or a mapping"),
    ('calc: {citation: "Calibrated from the facts the notes name", derived: true}',
     'calc: {citation: "x", derived: true, published: 2023}', "sources.calc",
     "give 'derived: true' or dates, not both"),
    ("war_began: 2022-02-24", "war_began: 2024-02-24", "time.war_began",
     "on or before the start (2023-12-01), found 2024-02-24"),
    ("source: assumption, note:", "source: assumption, as_of: 23rd, note:",
     "parameters.shell_use.as_of", "found '23rd'"),
])
def test_bad_declarations_are_located(write: Writer, old: str, new: str, path: str,
                                      says: str) -> None:
    text = mutate(TEXT, old, new)
    p = find(refused(write(text)), path=path, contains=(says,))
    assert p.line is not None


@pytest.mark.parametrize(("old", "new", "says"), [
    ("knowledge: {kind: reconstruction}", "knowledge: {kind: hindcast}",
     "knowledge.kind: expected 'forecast' or 'reconstruction', found 'hindcast'"),
    ("knowledge: {kind: reconstruction}",
     "knowledge: {kind: reconstruction, later: {blue.personnel0: [a, list]}}",
     "knowledge.later.blue.personnel0: expected text, found a list"),
    ("knowledge: {kind: reconstruction}",
     "knowledge: {kind: reconstruction, as_of: 2023-02-30}",
     "knowledge.as_of: expected a date YYYY-MM-DD, found '2023-02-30'"),
    ("sources:\n", "sources:\n  extra: {published: 2020}\n",
     "sources.extra.citation: missing required key 'citation'"),
])
def test_bad_input_on_the_command_line_exits_2_without_a_traceback(
        tmp_path: Path, invoke: Any, old: str, new: str, says: str) -> None:
    from detente.scenario import builtin_path

    text = builtin_path("lanchester-bench").read_text("utf-8")
    path = tmp_path / "bench.yaml"
    path.write_text(mutate(text, old, new), encoding="utf-8")
    r = invoke("validate", str(path))
    assert r.exit_code == 2
    assert says in r.stderr
    assert "Traceback" not in r.output


# --------------------------------------------------------------------------- shown loudly
def test_validate_and_run_warn_of_each_later_entry(tmp_path: Path, invoke: Any) -> None:
    from detente.scenario import builtin_path

    text = builtin_path("lanchester-bench").read_text("utf-8")
    text = mutate(text, "knowledge: {kind: reconstruction}", (
        "knowledge: {kind: forecast, later: {'ref:bench': 'the benchmark was defined after "
        "its start date', 'ref:off': 'switched-off mechanisms'}}"))
    path = tmp_path / "bench.yaml"
    path.write_text(text, encoding="utf-8")
    for args in (("validate", str(path)), ("run", str(path), "--samples", "4", "--horizon",
                                           "2", "--quiet", "--json")):
        r = invoke(*args)
        assert r.exit_code == 0, r.output
        assert "warning: lanchester-bench: hindsight: ref:bench: reference bench (undated)" \
            in r.stderr
        assert "Reason: the benchmark was defined after its start date" in r.stderr


def test_validate_says_what_each_scenario_declares(invoke: Any) -> None:
    r = invoke("validate", "korea-1951")
    assert r.exit_code == 0
    assert "reconstruction as of 1951-07-10" in r.stdout
    assert r.stderr.count("warning: korea-1951: hindsight:") == len(
        load_scenario("korea-1951").hindsight)


# --------------------------------------------------------------------------- the built-ins
@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_declares_its_knowledge_and_keeps_the_rule(name: str) -> None:
    # the whole list of what breaks the rule is printed, not only the first problem
    try:
        sc = load_scenario(name)
    except ScenarioError as exc:
        missing = [str(p) for p in exc.problems]
        pytest.fail(f"{name} breaks the look-ahead rule or does not load; each use of a "
                    "later source needs a source public in time, or an entry in "
                    f"knowledge.later with the reason:\n" + "\n".join(missing))
    assert sc.knowledge is not None, name
    assert sc.time.war_began is not None, name
    assert sc.time.war_began <= sc.time.start, name
    found = check_lookahead(sc)
    assert found.problems == ()
    assert found.hindsight == sc.hindsight


def test_korea_is_a_reconstruction_listing_its_later_record() -> None:
    sc = load_scenario("korea-1951")
    assert (sc.knowledge.kind, sc.as_of, sc.time.war_began) == (
        "reconstruction", dt.date(1951, 7, 10), dt.date(1950, 6, 25))
    listed = {h.entry for h in sc.hindsight}
    # every value whose note says it needed the later record is listed, with the reason
    for name, par in sc.parameters.items():
        if "later record" in par.note.lower():
            assert name in listed, name
    assert all(h.reason.strip() for h in sc.hindsight)
    assert sc.sources["calib"].derived
    assert all(r.published is not None for k, r in sc.sources.items()
               if k not in ("calib", "tf24", "tf33", "britannica", "goodman"))


# --------------------------------------------------------------------------- the schema
def test_the_json_schema_describes_knowledge_war_began_and_dated_references() -> None:
    schema = json_schema()
    assert "knowledge" in schema["properties"]
    knowledge = schema["$defs"]["Knowledge"]
    assert knowledge["properties"]["kind"]["enum"] == ["forecast", "reconstruction"]
    assert {"as_of", "later"} <= set(knowledge["properties"])
    assert "war_began" in schema["$defs"]["TimeSpec"]["properties"]
    forms = schema["$defs"]["Reference"]["anyOf"]
    assert forms[0]["type"] == "string"
    assert {"citation", "published", "refers_to", "derived"} <= set(forms[1]["properties"])
    assert all("as_of" in f["properties"] for f in schema["$defs"]["Parameter"]["oneOf"])


def test_detente_schema_prints_them(invoke: Any) -> None:
    r = invoke("schema")
    assert r.exit_code == 0
    assert '"knowledge"' in r.stdout
    assert '"war_began"' in r.stdout
    assert '"refers_to"' in r.stdout


def test_references_round_trip_and_read_as_their_citation(write: Writer) -> None:
    sc = load(write(TEXT))
    dumped = sc.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert dumped["sources"]["undated"] == "A report without a date"
    assert dumped["sources"]["dated"] == {"citation": "Agency report of November",
                                          "published": "2023-11-03", "derived": False}
    assert type(sc).model_validate(dumped) == sc
    assert f"{sc.sources['dated']}" == "Agency report of November"
    assert Reference.model_validate("x") == Reference(citation="x")


# --------------------------------------------------------------------------- dates and facts
PARTIALS = st.one_of(
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(PartialDate.parse),
    st.builds(PartialDate, st.integers(1, 9999), st.integers(1, 12)),
    st.builds(PartialDate, st.integers(1, 9999)),
)


@given(PARTIALS)
def test_a_periods_last_day_is_never_before_its_first(p: PartialDate) -> None:
    assert p.first <= p.last
    assert PartialDate.parse(str(p)) == p
    if p.day is None:  # the next day starts another month (or year)
        after = p.last + dt.timedelta(days=1) if p.last < dt.date.max else None
        assert after is None or (after.month, after.year) != (p.last.month, p.last.year)


@given(st.lists(PARTIALS.filter(lambda p: p.year >= 1000), min_size=1, max_size=4))
def test_the_latest_date_of_a_cell_is_the_latest_written(dates: list[PartialDate]) -> None:
    text = " / ".join(str(d) for d in dates) + " (estimate)"
    found = latest_date(text)
    assert found is not None
    assert found.last == max(d.last for d in dates)


@pytest.mark.parametrize(("written", "first", "last"), [
    (2023, dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
    ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    (dt.date(2023, 11, 3), dt.date(2023, 11, 3), dt.date(2023, 11, 3)),
])
def test_partial_dates(written: object, first: dt.date, last: dt.date) -> None:
    p = PartialDate.parse(written)
    assert (p.first, p.last) == (first, last)


@pytest.mark.parametrize("bad", ["2023-02-30", "23-11", "", True, 2023.5, None, "2023-00"])
def test_what_is_not_a_date_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="expected a date YYYY-MM-DD"):
        PartialDate.parse(bad)


def test_the_facts_table_is_read_by_column_name(tmp_path: Path) -> None:
    path = tmp_path / "facts.csv"
    path.write_text("note,published,key,as_of\nsome words,2024-03,k,2023 (mid/late)\n")
    fact = FactTable.read(path)["k"]
    assert (fact.note, fact.published, fact.value) == ("some words", "2024-03", "")
    assert fact.public_on == PartialDate(2024, 3)
    assert fact.refers_to == PartialDate(2023)
    assert latest_date("2023-09 / 2024-01") == PartialDate(2024, 1)
    assert latest_date("") is None
    with pytest.raises(DataError, match="'key' column"):
        FactTable.from_text("name,value\na,1\n")
