"""Serving many sessions: shared ensembles, bounded memory, allowed origins, the port."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cli_runner import serving
from detente.dashboard import DashboardModel, EnsembleCache, LeverError, allowed_origins
from detente.errors import InputError

pytest.importorskip("bokeh", reason="needs the dashboard extra (bokeh)")


@pytest.fixture(scope="module")
def model() -> DashboardModel:
    return DashboardModel("lanchester-bench", n_samples=8, horizon=12, seed=2)


def _counting(model: DashboardModel, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    simulate = model.simulate

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return simulate(*args, **kwargs)

    monkeypatch.setattr(model, "simulate", counted)
    return calls


def test_sessions_share_one_ensemble_per_input(model: DashboardModel,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import detente.dashboard._views as views_module
    from detente.dashboard._app import DashboardApp

    calls = _counting(model, monkeypatch)
    tables: list[int] = []
    numbers = views_module.Views._numbers

    def counted(self: Any, state: Any) -> str:
        tables.append(1)
        return numbers(self, state)

    monkeypatch.setattr(views_module.Views, "_numbers", counted)
    lever = model.levers[0].param
    value = model.levers[0].low
    first = DashboardApp(model)
    first.inputs[lever].value = value
    before, drawn = len(calls), len(tables)
    others = [DashboardApp(model) for _ in range(5)]
    for app in others:  # the defaults, then the value the first session ran
        app.inputs[lever].value = value
    assert len(calls) == before  # no session re-simulated what another ran
    assert all(app.state is first.state for app in others)
    # what is drawn from the ensemble is shared too, and each session shows its own choice
    assert len(tables) == drawn
    assert all(app.numbers.text == first.numbers.text for app in others)
    assert all(app.fan.text == first.fan.text for app in others)
    others[0].variable.value = model.fan_variables[-1]
    assert others[0].fan.text != first.fan.text
    assert first.variable.value == model.fan_variables[0]


def test_a_frame_shows_the_chart_page_of_its_inputs(model: DashboardModel) -> None:
    from html import unescape
    from urllib.parse import parse_qs, urlsplit

    from detente.dashboard._app import DashboardApp
    from detente.dashboard._views import CHART_PATH, Views

    views = Views(model)
    app = DashboardApp(model, views)
    lever = model.levers[0]
    app.inputs[lever.param].value = lever.high
    src = re.search(r"src='([^']+)'", app.fan.text)
    assert src is not None
    url = urlsplit(unescape(src.group(1)))
    assert url.path == CHART_PATH
    query = parse_qs(url.query)
    assert query["kind"] == ["fan"]
    assert query["var"] == [app.variable.value]
    assert query["policy"] == app.state.policies
    assert [float(x) for x in query["lever"]] == [app.state.values[lv.param]
                                                  for lv in model.levers]
    page = views.page("fan", query["var"][0], query["policy"], query["lever"])
    assert page is not None
    assert b"Plotly.newPlot" in page
    title = app.fan_figure.layout.title.text
    assert json.dumps(title)[1:-1].encode() in page
    # the page is the state's, drawn once: another frame asking gets the same bytes
    assert views.page("fan", query["var"][0], query["policy"], query["lever"]) is page
    # a variable of the menu changes the fan's frame only
    settlement = app.settlement.text
    app.variable.value = model.fan_variables[-1]
    assert "var=" + model.fan_variables[-1] in unescape(app.fan.text)
    assert app.settlement.text == settlement
    # an address naming no chart, or inputs out of range, has no page
    levers = query["lever"]
    assert views.page("pie", "", query["policy"], levers) is None
    assert views.page("fan", "no.such", query["policy"], levers) is None
    assert views.page("fan", query["var"][0], ["no_such_policy"], levers) is None
    assert views.page("fan", query["var"][0], query["policy"], levers[:-1]) is None
    assert views.page("fan", query["var"][0], query["policy"],
                      [repr(lever.high * 10), *levers[1:]]) is None
    assert views.page("fan", query["var"][0], query["policy"], ["x", *levers[1:]]) is None


class _Page:
    """What a served page gives the app: roots, a title and the loop's next turn."""

    def __init__(self) -> None:
        self.roots: list[Any] = []
        self.title = ""
        self.ticks: list[Callable[[], None]] = []
        self.lock = threading.Lock()

    def add_root(self, root: Any) -> None:
        self.roots.append(root)

    def add_next_tick_callback(self, callback: Callable[[], None]) -> None:
        with self.lock:  # called from the app's threads
            self.ticks.append(callback)

    def turn(self, timeout: float = 60) -> None:
        """Wait for the next callback and run it, as the server's loop would."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                callback = self.ticks.pop(0) if self.ticks else None
            if callback is not None:
                callback()
                return
            time.sleep(0.01)
        pytest.fail("no callback came")


def test_a_served_page_runs_new_inputs_off_the_loop() -> None:
    from detente.dashboard._app import DashboardApp

    model = DashboardModel("lanchester-bench", n_samples=8, horizon=12, seed=5)
    app = DashboardApp(model)
    page = _Page()
    app.attach(page)
    assert page.roots
    lever = model.levers[0]
    first = app.state
    assert first is not None
    assert model.cached() is first  # the defaults, run when the page was made
    app.inputs[lever.param].value = lever.high
    assert app.state is first  # still shown: the new inputs run in a thread
    assert app.version == 1
    page.turn()
    assert app.version == 2
    state = app.state
    assert state is not first
    assert state.values[lever.param] == lever.high
    assert "Judging the claims" in app.claims.text  # the verdicts follow
    page.turn()
    assert "Judging the claims" not in app.claims.text
    assert state.judged
    # two changes in a row: only the last one is shown
    app.inputs[lever.param].value = lever.low
    app.inputs[lever.param].value = (lever.low + lever.high) / 2
    page.turn()
    page.turn()
    while app.version < 3 or page.ticks:
        page.turn()
    assert app.version == 3
    assert app.state.values[lever.param] == (lever.low + lever.high) / 2
    # inputs already run are shown at once, and a bad value at once too
    app.inputs[lever.param].value = lever.high
    assert app.state is state
    assert app.version == 4
    app.inputs[lever.param].value = lever.high * 10
    assert app.message.visible
    assert app.state is state
    with pytest.raises(LeverError):
        model.cached({lever.param: lever.high * 10})


def test_concurrent_requests_for_one_input_compute_it_once() -> None:
    cache: EnsembleCache[list[int]] = EnsembleCache()
    started = threading.Event()

    def slow() -> list[int]:
        started.set()
        time.sleep(0.3)
        return [1, 2, 3]

    got: list[list[int]] = []
    threads = [threading.Thread(target=lambda: got.append(cache.get("k", slow)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert started.is_set()
    assert cache.computed == 1
    assert cache.reused == 7
    assert len(got) == 8
    assert all(g is got[0] for g in got)


def test_the_cache_is_bounded_in_entries_and_bytes() -> None:
    cache: EnsembleCache[bytes] = EnsembleCache(max_entries=3, max_bytes=250, size=len)
    for k in range(5):
        cache.get(k, lambda: b"x" * 100)
    assert len(cache) == 2  # 3 entries allowed, but 300 bytes are over 250
    assert cache.nbytes == 200
    assert cache.peek(3) == b"x" * 100  # kept: reused, and now the most recent
    assert cache.peek(0) is None  # evicted, and nothing is computed
    cache.get(5, lambda: b"y" * 100)
    assert cache.computed == 6
    assert cache.get(3, lambda: b"again") == b"x" * 100
    assert cache.get(4, lambda: b"recomputed") == b"recomputed"  # evicted as the oldest
    big: EnsembleCache[bytes] = EnsembleCache(max_bytes=10, size=len)
    assert big.get("a", lambda: b"z" * 50) == b"z" * 50  # the newest stays, alone
    assert len(big) == 1
    with pytest.raises(InputError, match="max_entries must be at least 1, found 0"):
        EnsembleCache(max_entries=0)


def test_a_failed_computation_reaches_its_caller_and_is_not_kept() -> None:
    cache: EnsembleCache[int] = EnsembleCache()

    def fails() -> int:
        raise InputError("no")

    with pytest.raises(InputError, match="no"):
        cache.get("k", fails)
    assert len(cache) == 0
    assert cache.get("k", lambda: 4) == 4


def test_the_models_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    model = DashboardModel("lanchester-bench", n_samples=8, horizon=12, seed=2,
                           cache_entries=2)
    lever = model.levers[0]
    for x in (lever.low, lever.high, (lever.low + lever.high) / 2):
        model.update({lever.param: x}, claims=False)
    assert len(model.cache) == 2
    state = model.update({lever.param: lever.high}, claims=False)
    assert model.cache.nbytes >= state.nbytes > 0


# --------------------------------------------------------------------------- origins
def test_allowed_origins_default_to_the_bound_address() -> None:
    assert allowed_origins("127.0.0.1", 5006) == ["127.0.0.1:5006", "localhost:5006"]
    assert allowed_origins("10.1.2.3", 80) == ["10.1.2.3:80"]
    wide = allowed_origins("0.0.0.0", 5006)
    assert "*" not in wide
    assert "localhost:5006" in wide
    assert f"{socket.gethostname()}:5006" in wide
    assert allowed_origins("0.0.0.0", 5006, ["analysts.example", "http://gw.example:8080",
                                             "10.0.0.9:5006"]) == [
        "analysts.example:5006", "gw.example:8080", "10.0.0.9:5006"]
    with pytest.raises(InputError, match="--allow-origin: expected HOST"):
        allowed_origins("0.0.0.0", 5006, ["http://"])


@pytest.fixture(scope="module")
def wide_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """``detente serve --address 0.0.0.0`` in a subprocess; yield its port."""
    with serving("lanchester-bench", "--address", "0.0.0.0", "--samples", "8", "--horizon",
                 "12", log=tmp_path_factory.mktemp("wide") / "serve.log") as port:
        yield port


async def _open_websocket(port: int, origin: str) -> str:
    """The first message type the dashboard's websocket sends to a page of ``origin``."""
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest
    from tornado.websocket import websocket_connect

    page = await AsyncHTTPClient().fetch(f"http://127.0.0.1:{port}/")
    match = re.search(r'"token"\s*:\s*"([^"]+)"', page.body.decode())
    assert match is not None
    req = HTTPRequest(f"ws://127.0.0.1:{port}/ws", headers={"Origin": origin})
    ws = await websocket_connect(req, subprotocols=["bokeh", match.group(1)])
    try:
        header = await ws.read_message()
        assert isinstance(header, str)
        return str(json.loads(header)["msgtype"])
    finally:
        ws.close()


def test_the_server_sends_the_chart_pages_and_plotly(wide_server: int) -> None:
    import urllib.error
    import urllib.request
    from html import unescape

    from detente.dashboard._views import plotly_path

    async def pulled() -> str:
        from tornado.httpclient import AsyncHTTPClient, HTTPRequest
        from tornado.websocket import websocket_connect

        base = f"127.0.0.1:{wide_server}"
        page = await AsyncHTTPClient().fetch(f"http://{base}/")
        match = re.search(r'"token"\s*:\s*"([^"]+)"', page.body.decode())
        assert match is not None
        req = HTTPRequest(f"ws://{base}/ws", headers={"Origin": f"http://{base}"})
        ws = await websocket_connect(req, subprotocols=["bokeh", match.group(1)])
        try:
            frames = [await ws.read_message() for _ in range(3)]  # the ACK
            for frame in [json.dumps({"msgid": "1", "msgtype": "PULL-DOC-REQ"}), "{}", "{}"]:
                await ws.write_message(frame)
            while True:
                frames = [await ws.read_message() for _ in range(3)]
                if json.loads(str(frames[0]))["msgtype"] == "PULL-DOC-REPLY":
                    return str(frames[2])
        finally:
            ws.close()

    doc = asyncio.run(pulled())
    srcs = [unescape(s) for s in re.findall(r"<iframe[^>]*src='([^']+)'", doc)]
    assert srcs  # the fan's, and the settlement's where the war settles at all
    assert "kind=fan" in srcs[0]
    for src in srcs:
        with urllib.request.urlopen(f"http://127.0.0.1:{wide_server}{src}") as r:
            body = r.read()
            assert r.headers["Cache-Control"].startswith("public")
            assert "frame-ancestors 'self'" in r.headers["Content-Security-Policy"]
        assert b"Plotly.newPlot" in body
        assert plotly_path().encode() in body  # plotly.js from the dashboard itself
    with urllib.request.urlopen(f"http://127.0.0.1:{wide_server}{plotly_path()}") as r:
        assert r.headers["Content-Type"].startswith("application/javascript")
        assert len(r.read()) > 1_000_000
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"http://127.0.0.1:{wide_server}/chart?kind=fan&var=no.such")
    assert missing.value.code == 404


def test_a_foreign_origins_websocket_is_refused(wide_server: int) -> None:
    from tornado.httpclient import HTTPClientError

    with pytest.raises(HTTPClientError) as refused:
        asyncio.run(_open_websocket(wide_server, "http://attacker.example"))
    assert refused.value.code == 403
    # the machine's own pages still connect
    assert asyncio.run(_open_websocket(wide_server, f"http://localhost:{wide_server}")) == "ACK"


# --------------------------------------------------------------------------- the port
def test_a_port_taken_before_the_server_binds_is_a_clean_error_and_no_url(
        invoke: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import detente.cli._serve as cli_serve

    # the port is free when checked and taken while the parameters are drawn
    monkeypatch.setattr(cli_serve, "check_port", lambda _address, _port: None)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = invoke("serve", "lanchester-bench", "--port", str(port), "-n", "4",
                   "--horizon", "4")
    assert r.code == 2, r.output
    assert f"cannot listen on 127.0.0.1:{port}: the port is already in use" in r.stderr
    assert "http://" not in r.stdout
    assert "Traceback" not in r.output


# --------------------------------------------------------------------------- the browser
#: What keeps Chromium from calling update, account, sync and metrics services on its own.
QUIET_FLAGS = {"--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-default-apps",
               "--metrics-recording-only"}


def test_chromium_is_launched_quiet_for_pdf_and_in_the_browser_tests() -> None:
    from detente.report import CHROMIUM_ARGS

    assert set(CHROMIUM_ARGS) >= QUIET_FLAGS
    e2e = pytest.importorskip("tests.e2e.conftest", reason="the e2e fixtures")
    assert set(e2e.CHROMIUM_ARGS) >= QUIET_FLAGS
