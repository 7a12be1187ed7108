"""Open N dashboard sessions at once and time them: p50/p95 of a session, the server's RSS.

    python benchmarks/load_dashboard.py -n 50                    # serves ukraine-2023 itself
    python benchmarks/load_dashboard.py -n 10 --url http://127.0.0.1:5006/ --pid 1234

A session is what a browser does to show the page: GET the page, open the Bokeh websocket
with the page's token, wait for the server's ACK, pull the document (``PULL-DOC-REQ`` ->
``PULL-DOC-REPLY``) and GET the chart pages its frames show. All N start together. With
the N still open, one of them changes a lever (a ``PATCH-DOC`` of the first lever's value):
printed are the seconds to the new numbers (the status line's new version), to the new
charts (their pages fetched too) and to the claims' verdicts. Then a websocket from a
foreign Origin is tried (it must be refused) and the page is fetched once more (the server
must still answer). Static scripts (Bokeh's, plotly.js) are left out: a browser keeps them.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

_TOKEN = re.compile(r'"token"\s*:\s*"([^"]+)"')
#: A chart frame's address in an HTML block of the document.
_FRAME = re.compile(r"<iframe[^>]*src='([^']+)'")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mib(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory of ``pid`` and its children, MiB (Linux /proc)."""
    rss = hwm = 0.0
    for p in [pid, *_children(pid)]:
        try:
            text = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm += int(line.split()[1]) / 1024
    return rss, hwm


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    kids = [int(c) for c in text.split()]
    return [k for c in kids for k in [c, *_children(c)]]


def _message(msgtype: str, content: dict[str, Any], msgid: str) -> list[str]:
    """A Bokeh protocol message as its three text frames (header, metadata, content)."""
    header = {"msgid": msgid, "msgtype": msgtype}
    return [json.dumps(header), "{}", json.dumps(content)]


async def _receive(ws: WebSocketClientConnection) -> tuple[dict[str, Any], Any]:
    """One whole Bokeh message: its header and its content (buffers read and dropped)."""
    frames = []
    for _ in range(3):
        frame = await ws.read_message()
        if frame is None:
            raise ConnectionError("the server closed the websocket")
        frames.append(frame)
    header = json.loads(frames[0])
    for _ in range(2 * int(header.get("num_buffers", 0))):
        await ws.read_message()
    return header, frames[2]


def _frames(text: str) -> list[str]:
    """The chart pages' addresses in a pulled document or a patch (its JSON text)."""
    return [html.unescape(m) for m in _FRAME.findall(text)]


class Session:
    """One browser's worth of requests against the dashboard at ``url``."""

    def __init__(self, url: str, origin: str | None = None) -> None:
        self.url = url
        self.origin = origin or url.split("/", 3)[0] + "//" + url.split("/", 3)[2]
        self.ws: WebSocketClientConnection | None = None
        self.doc: Any = None
        self.seconds = 0.0
        self.page_seconds = 0.0

    async def open(self) -> None:
        t0 = time.perf_counter()
        resp = await AsyncHTTPClient().fetch(self.url, request_timeout=600)
        self.page_seconds = time.perf_counter() - t0
        match = _TOKEN.search(resp.body.decode("utf-8"))
        if match is None:
            raise RuntimeError("the page carries no Bokeh session token")
        ws_url = self.url.replace("http", "ws", 1).rstrip("/") + "/ws"
        req = HTTPRequest(ws_url, headers={"Origin": self.origin}, request_timeout=600)
        self.ws = await websocket_connect(req, subprotocols=["bokeh", match.group(1)],
                                          max_message_size=1 << 30)
        header, _ = await _receive(self.ws)
        if header["msgtype"] != "ACK":
            raise RuntimeError(f"expected ACK, got {header['msgtype']}")
        for frame in _message("PULL-DOC-REQ", {}, "pull"):
            await self.ws.write_message(frame)
        while True:
            header, content = await _receive(self.ws)
            if header["msgtype"] == "PULL-DOC-REPLY":
                self.doc = json.loads(content)
                break
        await self.charts(_frames(content))
        self.seconds = time.perf_counter() - t0

    async def charts(self, frames: list[str]) -> None:
        """GET the chart pages at ``frames`` (addresses on the dashboard), as frames do."""
        root = self.url.split("/", 3)
        for src in frames:
            resp = await AsyncHTTPClient().fetch(f"{root[0]}//{root[2]}{src}",
                                                 request_timeout=600)
            if b"Plotly.newPlot" not in resp.body:
                raise RuntimeError(f"{src} is no chart page")

    def lever_id(self) -> tuple[str, float]:
        """The id of the first lever's input model and a value within its range."""
        text = json.dumps(self.doc)
        for ref in _walk(self.doc):
            classes = (ref.get("attributes") or {}).get("css_classes") or []
            if any(str(c).startswith("lever-") for c in classes):
                attrs = ref["attributes"]
                low = attrs.get("start")
                value = attrs.get("value")
                if value is not None:
                    return ref["id"], float(low if low is not None else 0.0) + (
                        0.37 if value != 0.37 else 0.41)
        raise RuntimeError(f"no lever input in the document ({len(text)} characters)")

    async def change(self, model_id: str, value: float) -> dict[str, float]:
        """Set a lever; return the seconds until the browser would show each part anew.

        ``lever_numbers_s``: the new status line and numbers; ``lever_charts_s``: the new
        charts' frames and their pages fetched; ``lever_claims_s``: the claims' verdicts.
        """
        assert self.ws is not None
        event = {"kind": "ModelChanged", "model": {"id": model_id}, "attr": "value",
                 "new": value}
        t0 = time.perf_counter()
        for frame in _message("PATCH-DOC", {"events": [event]}, "lever"):
            await self.ws.write_message(frame)
        out: dict[str, float] = {}
        frames: dict[str, str] = {}
        while "lever_claims_s" not in out:
            header, content = await asyncio.wait_for(_receive(self.ws), timeout=600)
            if header["msgtype"] != "PATCH-DOC":
                continue
            if "data-version" in content:
                out["lever_numbers_s"] = time.perf_counter() - t0
            for src in _frames(content):
                frames[src.split("kind=", 1)[1].split("&", 1)[0]] = src
            if "lever_charts_s" not in out and len(frames) == 2:
                await self.charts(list(frames.values()))
                out["lever_charts_s"] = time.perf_counter() - t0
            if "data-testid='claims'" in content or "states no claims" in content:
                out["lever_claims_s"] = time.perf_counter() - t0
        return out


def _walk(node: Any) -> list[dict[str, Any]]:
    """Every object with an ``id`` and ``attributes`` in a pulled document."""
    out: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "id" in node and "attributes" in node:
            out.append(node)
        for v in node.values():
            out += _walk(v)
    elif isinstance(node, list):
        for v in node:
            out += _walk(v)
    return out


def _quantile(xs: list[float], q: float) -> float:
    ys = sorted(xs)
    return ys[min(len(ys) - 1, max(0, round(q * (len(ys) - 1))))]


async def _foreign_origin_refused(url: str) -> bool:
    s = Session(url, origin="http://attacker.example")
    try:
        await s.open()
    except HTTPClientError as exc:
        return exc.code == 403
    return False


async def run(url: str, n: int, pid: int | None) -> dict[str, Any]:
    """Open ``n`` sessions together, then change a lever in one; return the figures."""
    AsyncHTTPClient.configure(None, max_clients=max(n, 10))
    sessions = [Session(url) for _ in range(n)]
    t0 = time.perf_counter()
    results = await asyncio.gather(*(s.open() for s in sessions), return_exceptions=True)
    wall = time.perf_counter() - t0
    failed = [r for r in results if isinstance(r, BaseException)]
    times = [s.seconds for s, r in zip(sessions, results, strict=True)
             if not isinstance(r, BaseException)]
    out: dict[str, Any] = {"sessions": n, "served": len(times), "failed": len(failed),
                           "errors": sorted({repr(e)[:200] for e in failed}),
                           "wall_s": wall}
    if times:
        out |= {"p50_s": _quantile(times, 0.5), "p95_s": _quantile(times, 0.95),
                "max_s": max(times),
                "page_p95_s": _quantile([s.page_seconds for s in sessions], 0.95)}
    if pid is not None:
        out["rss_mib"], out["peak_rss_mib"] = _rss_mib(pid)
    live = [s for s, r in zip(sessions, results, strict=True)
            if not isinstance(r, BaseException)]
    if live:
        model_id, value = live[0].lever_id()
        out |= await live[0].change(model_id, value)
    out["foreign_origin_refused"] = await _foreign_origin_refused(url)
    resp = await AsyncHTTPClient().fetch(url, request_timeout=60)
    out["answers_after"] = resp.code == 200
    if pid is not None:
        out["rss_after_mib"], out["peak_rss_mib"] = _rss_mib(pid)
    for s in sessions:
        if s.ws is not None:
            s.ws.close()
    return out


def _start_server(scenario: str, samples: int, port: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "detente", "serve", scenario, "--port", str(port),
           "--samples", str(samples), "--no-show"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"detente serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the dashboard did not answer in 180 s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--sessions", type=int, default=50)
    ap.add_argument("--scenario", default="ukraine-2023")
    ap.add_argument("--samples", type=int, default=500)
    ap.add_argument("--url", help="a dashboard already served (default: serve one)")
    ap.add_argument("--pid", type=int, help="its server's process id, for the RSS")
    args = ap.parse_args()
    proc = None
    url, pid = args.url, args.pid
    if url is None:
        port = _free_port()
        proc = _start_server(args.scenario, args.samples, port)
        url, pid = f"http://127.0.0.1:{port}/", proc.pid
        print(f"serving {args.scenario} ({args.samples} samples) at {url}, pid {pid}, "
              f"RSS {_rss_mib(pid)[0]:.0f} MiB before the sessions (one page pulled)")
    load = os.getloadavg()[0]  # the machine may be shared: say how busy it was
    try:
        figures = asyncio.run(run(url, args.sessions, pid))
        figures["load_before"], figures["load_after"] = load, os.getloadavg()[0]
    finally:
        if proc is not None:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    for key, value in figures.items():
        print(f"{key:24s} {value:.3f}" if isinstance(value, float) else f"{key:24s} {value}")


if __name__ == "__main__":
    main()
