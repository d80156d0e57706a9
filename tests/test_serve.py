"""``make serve``: replicas behind HAProxy with sticky sessions, health checks and a supervisor.

The configuration is checked as text and by ``haproxy -c``; the integration tests start
``scripts/serve.py --replicas 2`` on a free port (what ``make serve REPLICAS=2`` runs) and talk
to it through the proxy only: cookies choose the replica, an upload reaches the replica that
holds its session (and is refused by the other one, which is why affinity is needed), a killed
replica is restarted while the port keeps serving, and stopping the supervisor stops every child.
"""

from __future__ import annotations

import asyncio
import http.cookies
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import serve

HAPROXY = serve.HAPROXY
CHROMIUM = "/usr/bin/chromium"
ARGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
).split()


# -- the generated configuration ---------------------------------------------------------------
def test_config_has_cookie_affinity_websocket_health_checks_and_redispatch():
    cfg = serve.haproxy_config("127.0.0.1", 8501, [31001, 31002, 31003])
    assert "bind 127.0.0.1:8501" in cfg
    assert re.search(r"^\s*cookie SERVERID insert indirect nocache", cfg, re.M)
    servers = re.findall(r"^\s*server (r\d) 127\.0\.0\.1:(\d+) cookie (r\d)$", cfg, re.M)
    assert servers == [("r1", "31001", "r1"), ("r2", "31002", "r2"), ("r3", "31003", "r3")]
    assert "option httpchk GET /_stcore/health" in cfg
    assert re.search(r"default-server check inter \d+s", cfg)
    assert re.search(r"timeout tunnel \d+h", cfg)  # the websocket outlives http timeouts
    assert "option redispatch" in cfg
    assert "conn-failure" in cfg
    assert "source" not in cfg.split("backend", 1)[1]  # affinity by address is wrong here
    assert "mode http" in cfg


def test_haproxy_accepts_the_config(tmp_path):
    if not os.access(HAPROXY, os.X_OK):
        pytest.fail(f"no {HAPROXY}: make test installs Debian's haproxy")
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(serve.haproxy_config("127.0.0.1", serve.free_port(), [31001, 31002]))
    out = subprocess.run([HAPROXY, "-c", "-f", str(cfg)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_make_serve_runs_the_supervisor_and_make_run_stays_one_process():
    mk = (ROOT / "Makefile").read_text()
    serve_rule = re.search(r"^serve:.*\n((?:\t.*\n)+)", mk, re.M)
    assert serve_rule and "scripts/serve.py --replicas $(REPLICAS) --port $(PORT)" in serve_rule[1]
    assert "haproxy" in re.search(r"^serve:(.*)$", mk, re.M)[1]
    run_rule = re.search(r"^run:.*\n((?:\t.*\n)+)", mk, re.M)[1]
    assert "streamlit run app.py" in run_rule and "serve.py" not in run_rule
    # The test run needs haproxy too (this file's integration tests).
    assert "haproxy" in re.search(r"^test:(.*)$", mk, re.M)[1]


# -- a running deployment ----------------------------------------------------------------------
def _get(port: int, path: str = "/_stcore/health", cookies: dict | None = None, timeout=5):
    """GET through the proxy -> (status, the replica that answered, cookies it set)."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if cookies:
        req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, headers = r.status, r.headers
    except urllib.error.HTTPError as e:
        status, headers = e.code, e.headers
    jar = http.cookies.SimpleCookie()
    for h in headers.get_all("Set-Cookie") or []:
        jar.load(h)
    return status, headers.get("X-Replica"), {k: m.value for k, m in jar.items()}


def _state(path) -> dict:
    return json.loads(path.read_text())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too.
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """``scripts/serve.py --replicas 2`` on a free port; yields (port, state file, process)."""
    if not os.access(HAPROXY, os.X_OK):
        pytest.fail(f"no {HAPROXY}: make test installs Debian's haproxy")
    port = serve.free_port()
    state = tmp_path_factory.mktemp("serve") / "state.json"
    log = open(tmp_path_factory.mktemp("serve-log") / "serve.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "scripts/serve.py", "--replicas", "2", "--port", str(port)]
        + ["--state", str(state)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            if proc.poll() is not None:
                break
            try:
                if _get(port, timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.25)
        else:
            pytest.fail("no health answer through the proxy within 90 s")
        if proc.poll() is not None:
            log.seek(0)
            pytest.fail(f"serve.py exited: {log.read()[-2000:]}")
        yield port, state, proc, log
    finally:
        children = []
        if state.exists():
            st = _state(state)
            children = [st["proxy"]] + [r["pid"] for r in st["replicas"]]
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        for pid in children:  # never leave a server behind, even if the test failed
            if pid and _alive(pid):
                os.kill(pid, signal.SIGKILL)
        log.close()


@pytest.mark.slow
def test_cookies_choose_the_replica_and_a_cookie_keeps_it(deployment):
    port = deployment[0]
    # Browsers without a cookie are spread over the replicas; each gets the cookie of its own.
    landed = {}
    for _ in range(4):
        status, replica, jar = _get(port)
        assert status == 200
        assert jar.get("SERVERID") == replica, (replica, jar)
        landed[replica] = jar
    assert set(landed) == {"r1", "r2"}
    # Two clients with different cookies: each always lands on its own replica.
    for replica, jar in landed.items():
        seen = {_get(port, "/", cookies={"SERVERID": jar["SERVERID"]})[1] for _ in range(8)}
        assert seen == {replica}
    # A valid cookie is not set again (indirect), the page itself is not cached (nocache).
    assert "SERVERID" not in _get(port, cookies={"SERVERID": "r2"})[2]


async def _upload_in_session(port: int, cookies: dict, xsrf: str, put_cookies: list) -> list:
    """Open a Streamlit session through the proxy (as the browser does), ask for an upload URL
    and, while the session is open, PUT a file there with each of ``put_cookies``."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/_stcore/stream",
        subprotocols=["streamlit", xsrf],
        additional_headers={"Cookie": cookie},
        origin=f"http://127.0.0.1:{port}",
        max_size=None,
        open_timeout=30,
    ) as ws:
        msg = BackMsg()
        msg.file_urls_request.request_id = "r1"
        msg.file_urls_request.file_names.append("series.csv")
        await ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(ws.recv(), 30))
            if fwd.WhichOneof("type") == "file_urls_response":
                url = fwd.file_urls_response.file_urls[0].upload_url
                break
        assert "/_stcore/upload_file/" in url
        return [await asyncio.to_thread(_put_file, port, url, c, xsrf) for c in put_cookies]


def _put_file(port: int, url: str, cookies: dict, xsrf: str) -> int:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="series.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\ndate,value\n2015-01,3\n2015-02,4\r\n--{boundary}--\r\n"
    ).encode()
    if url.startswith("/"):
        url = f"http://127.0.0.1:{port}{url}"
    req = urllib.request.Request(url, data=body, method="PUT")
    req.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    req.add_header("X-Xsrftoken", xsrf)
    req.add_header("Origin", f"http://127.0.0.1:{port}")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


@pytest.mark.slow
def test_an_upload_reaches_the_replica_holding_the_session(deployment):
    port = deployment[0]
    status, replica, jar = _get(port)
    assert status == 200 and replica in {"r1", "r2"}
    xsrf = jar["_streamlit_xsrf"]
    cookies = {"SERVERID": jar["SERVERID"], "_streamlit_xsrf": xsrf}
    other = {"r1": "r2", "r2": "r1"}[replica]
    own, elsewhere = asyncio.run(
        _upload_in_session(port, cookies, xsrf, [cookies, {**cookies, "SERVERID": other}])
    )
    # With its own cookie the upload lands where the session lives (204 No Content) ...
    assert own == 204
    # ... sent to the other replica it is refused: the session is not there (affinity matters).
    assert elsewhere == 400


@pytest.mark.slow
@pytest.mark.browser
def test_a_browser_uploads_a_file_through_the_proxy(deployment, tmp_path):
    """Chromium opens Explore through the proxy, uploads a CSV and gets a fitted chart."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no {CHROMIUM}: make test installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    port = deployment[0]
    csv = tmp_path / "monthly.csv"
    # Not a formula of time (the app refuses a fit with zero residuals): a little noise.
    rows = [f"2014-{m:02d},{100 + m + (7 * m) % 5}" for m in range(1, 13)]
    rows += [f"2015-{m:02d},{80 + m + (3 * m) % 4}" for m in range(1, 13)]
    csv.write_text("month,count\n" + "\n".join(rows) + "\n")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            ctx = b.new_context(viewport={"width": 1400, "height": 2000})
            page = ctx.new_page()
            page.goto(f"http://127.0.0.1:{port}/explore")
            page.get_by_text("Upload a file").click()
            page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(csv))
            page.wait_for_selector("[data-testid='stFileChipName']", timeout=30_000)
            # The fit of the uploaded series is drawn: the upload reached the session's replica.
            page.wait_for_function(
                "() => document.body.innerText.includes('Source: uploaded file')",
                timeout=60_000,
            )
            page.wait_for_selector(".js-plotly-plot", timeout=30_000)
            body = page.inner_text("body")
            assert page.locator("[data-testid='stException']").count() == 0
            assert "monthly.csv" in page.locator("[data-testid='stFileChipName']").inner_text()
            assert "Invalid session_id" not in body
            served = {c["name"]: c["value"] for c in ctx.cookies()}
            assert served.get("SERVERID") in {"r1", "r2"}
        finally:
            b.close()


@pytest.mark.slow
def test_a_killed_replica_is_restarted_and_the_port_keeps_serving(deployment):
    port, state, proc, log = deployment
    before = _state(state)
    victim = before["replicas"][0]
    os.kill(victim["pid"], signal.SIGKILL)
    # At once: every request is answered by the other replica, also one that names the dead one.
    for _ in range(6):
        assert _get(port)[0] == 200
    status, replica, jar = _get(port, cookies={"SERVERID": victim["name"]})
    assert status == 200 and replica != victim["name"]
    assert jar.get("SERVERID") == replica  # re-pinned to where it landed
    # The supervisor starts it again on the same port, and the proxy takes it back.
    deadline = time.time() + 60
    while time.time() < deadline:
        now = _state(state)["replicas"][0]
        if now["pid"] != victim["pid"] and serve.healthy(now["port"]):
            if _get(port, cookies={"SERVERID": victim["name"]})[1] == victim["name"]:
                break
        time.sleep(0.5)
    else:
        log.seek(0)
        pytest.fail(f"replica not back behind the proxy in 60 s: {log.read()[-1500:]}")
    assert now["restarts"] == 1 and now["port"] == victim["port"]
    assert proc.poll() is None


@pytest.mark.slow
def test_stopping_the_supervisor_stops_every_child(tmp_path):
    if not os.access(HAPROXY, os.X_OK):
        pytest.fail(f"no {HAPROXY}: make test installs Debian's haproxy")
    port, state = serve.free_port(), tmp_path / "state.json"
    proc = subprocess.Popen(
        [sys.executable, "scripts/serve.py", "--replicas", "1", "--port", str(port)]
        + ["--state", str(state)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not (state.exists() and _state(state)["proxy"]):
            time.sleep(0.25)
        st = _state(state)
        pids = [st["proxy"], st["replicas"][0]["pid"]]
        assert all(_alive(p) for p in pids)
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        proc.wait(timeout=20)
    time.sleep(0.5)
    assert [p for p in pids if _alive(p)] == []


def test_a_port_in_use_is_refused_with_one_sentence():
    import socket

    if not os.access(HAPROXY, os.X_OK):
        pytest.fail(f"no {HAPROXY}: make test installs Debian's haproxy")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "scripts/serve.py", "--replicas", "1", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert out.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in out.stderr
