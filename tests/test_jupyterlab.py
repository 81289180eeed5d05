"""JupyterLab, for real: what ``make lab`` starts, driven through its REST API and websocket.

The server runs from this environment on 127.0.0.1 with a random token and a free port,
on a temporary copy of the repository (analysis/, data/, notebooks/, figures/) with
PYTHONPATH pointing at the copy, so the kernel imports the copy's package and re-running
notebook 01 rewrites the copy's figures, never the committed ones. The tests list the
notebooks, start an "analysis" kernel in a session, execute notebook 01's code cells over
the kernel websocket (Jupyter messaging protocol v5), compare the outputs with the
committed ones and take a headless-Chromium screenshot of JupyterLab with notebook 01
open (build/screenshots/jupyterlab_01.png). Every process is stopped in a finaliser.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

import _browser

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "notebooks/01_strategy_timeline.ipynb"
KERNEL = "analysis"  # installed by `make env` (ipykernel install --sys-prefix)
# The same sanitising rule as tests/nbval_sanitize.cfg: object addresses vary per run.
_ADDRESS = re.compile(r"(<[a-zA-Z_][0-9a-zA-Z_.]* at )(0x[0-9a-fA-F]+)(>)")
# The environment the Makefile exports to every step, `make lab` included.
_MAKE_ENV = {"MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "TZ": "UTC", "LC_ALL": "C.UTF-8",
             "SOURCE_DATE_EPOCH": "946684800", "PYTHONDONTWRITEBYTECODE": "",
             "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
# JupyterLab user settings: no news or update checks (no network; no toast in the shot).
_LAB_SETTINGS = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings":
                 {"fetchNews": "false", "checkForUpdates": False}}


class Lab:
    """A running JupyterLab server: its URL, token, repository copy and a JSON client."""

    def __init__(self, process, url, token, repo, log):
        self.process, self.url, self.token, self.repo, self.log = process, url, token, repo, log

    def api(self, method: str, path: str, body=None, timeout: float = 30):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = response.read()
            return response.status, (json.loads(payload) if payload else None)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _copy_repository(target: Path) -> Path:
    """The parts of the repository a notebook needs; never the private data."""
    skip = shutil.ignore_patterns("private", "__pycache__", ".ipynb_checkpoints")
    for name in ("analysis", "data", "notebooks", "figures"):
        shutil.copytree(ROOT / name, target / name, ignore=skip)
    return target


def _stop(process: subprocess.Popen, lab: Lab | None) -> None:
    """Ask the server to shut down (it stops its kernels), then terminate, then kill."""
    if process.poll() is None and lab is not None:
        try:
            lab.api("POST", "/api/shutdown", timeout=10)
            process.wait(timeout=20)
        except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
            pass
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # the server's own process group
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    pytest.importorskip("jupyterlab", reason="JupyterLab is not installed in this environment")
    pytest.importorskip("websocket", reason="websocket-client is not installed")
    tmp = tmp_path_factory.mktemp("jupyterlab")
    repo = _copy_repository(tmp / "repo")
    for rel, values in _LAB_SETTINGS.items():
        (tmp / "settings" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "settings" / rel).write_text(json.dumps(values))
    port, token = _browser.free_port(), secrets.token_hex(24)
    # the copy's own figures/, whatever make test set ANALYSIS_FIGURES to
    env = dict(os.environ, **_MAKE_ENV, PYTHONPATH=str(repo), ANALYSIS_ROOT=str(repo),
               ANALYSIS_FIGURES=str(repo / "figures"),
               JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               IPYTHONDIR=str(tmp / "ipython"))
    # --allow-root: CI containers run as root. No news, update checks or extension
    # manager: nothing may reach the network. Workspaces and settings stay in tmp.
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={repo}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
        f"--LabApp.user_settings_dir={tmp / 'settings'}",
    ]
    log = tmp / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=repo, env=env, stdout=sink,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = Lab(process, f"http://127.0.0.1:{port}", token, repo, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited with {process.returncode}:\n{server.log_tail()}")
            try:
                if server.api("GET", "/api/status", timeout=5)[0] == 200:
                    break
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer within 60 s:\n{server.log_tail()}")
            time.sleep(0.2)
        yield server
    finally:
        _stop(process, server)


class Kernel:
    """A kernel's websocket: execute code, collect what it sends back for that request."""

    def __init__(self, lab: Lab, kernel_id: str):
        import websocket

        self.socket = websocket.create_connection(
            f"{lab.url.replace('http', 'ws', 1)}/api/kernels/{kernel_id}/channels",
            header=[f"Authorization: token {lab.token}"], timeout=120)
        self.session = uuid.uuid4().hex

    def execute(self, code: str) -> tuple[dict, list[dict]]:
        """Run ``code``; return the execute_reply content and the outputs as nbformat dicts."""
        msg_id = uuid.uuid4().hex
        self.socket.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": self.session,
                       "username": "test", "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
        reply, outputs, idle = None, [], False
        while reply is None or not idle:  # the reply and "idle" may come in either order
            message = json.loads(self.socket.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if message["channel"] == "shell" and kind == "execute_reply":
                reply = content
            elif kind == "status":
                idle = content["execution_state"] == "idle"
            elif kind in {"stream", "execute_result", "display_data", "error"}:
                outputs.append({"output_type": kind, **content})
        return reply, outputs

    def close(self):
        self.socket.close()


@pytest.fixture(scope="module")
def kernel(lab):
    status, session = lab.api("POST", "/api/sessions", {
        "path": NOTEBOOK, "type": "notebook", "name": Path(NOTEBOOK).name,
        "kernel": {"name": KERNEL}})
    assert status == 201, session
    client = Kernel(lab, session["kernel"]["id"])
    try:
        yield client
    finally:
        client.close()
        # Best effort: the server's shutdown stops the kernel anyway.
        with contextlib.suppress(OSError, urllib.error.URLError):
            lab.api("DELETE", f"/api/sessions/{session['id']}")


@pytest.fixture(scope="module")
def executed(lab, kernel):
    """Notebook 01's code cells, run in order in the kernel: (cell, reply, outputs)."""
    import nbformat

    for stale in (lab.repo / "figures").glob("01_*"):
        stale.unlink()  # so that the figures checked below are the ones this run wrote
    cells = [c for c in nbformat.read(lab.repo / NOTEBOOK, as_version=4).cells
             if c.cell_type == "code"]
    return [(cell, *kernel.execute(cell.source)) for cell in cells]


def _comparable(outputs: list[dict]) -> list[tuple]:
    """Outputs as nbval compares them: streams joined, data by MIME type, addresses masked."""
    out = []
    for o in outputs:
        if o["output_type"] == "stream":
            if out and out[-1][:2] == ("stream", o["name"]):
                out[-1] = ("stream", o["name"], out[-1][2] + o["text"])
            else:
                out.append(("stream", o["name"], o["text"]))
        elif o["output_type"] in {"execute_result", "display_data"}:
            data = {k: _ADDRESS.sub(r"\1MEMORY_ADDRESS\3", v) if isinstance(v, str) else v
                    for k, v in o["data"].items()}
            out.append((o["output_type"], json.dumps(data, sort_keys=True)))
        else:
            out.append((o["output_type"], o.get("ename"), o.get("evalue")))
    return out


def test_rest_api_lists_the_notebooks_and_the_kernel(lab):
    status, listing = lab.api("GET", "/api/contents/notebooks")
    assert status == 200 and listing["type"] == "directory"
    names = {item["name"] for item in listing["content"] if item["type"] == "notebook"}
    # Every notebook of the repository, found here by globbing.
    assert names == {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    _, specs = lab.api("GET", "/api/kernelspecs")
    assert KERNEL in specs["kernelspecs"], sorted(specs["kernelspecs"])


def test_the_token_is_required(lab):
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(lab.url + "/api/contents/notebooks", timeout=10)
    assert err.value.code == 403


def test_kernel_imports_the_copy_of_the_package(lab, kernel):
    reply, outputs = kernel.execute("import os, analysis\nprint(analysis.__file__)\n"
                                    "print(os.getcwd())")
    assert reply["status"] == "ok"
    printed = "".join(o["text"] for o in outputs if o["output_type"] == "stream").splitlines()
    # The session's kernel starts in the notebook's folder of the copy.
    assert printed == [str(lab.repo / "analysis" / "__init__.py"), str(lab.repo / "notebooks")]


def test_notebook_runs_through_the_server_and_reproduces_its_outputs(lab, executed):
    import nbformat

    errors = [(c.source[:60], r.get("ename")) for c, r, _ in executed if r["status"] != "ok"]
    assert errors == []
    assert not any(o["output_type"] == "error" for _, _, outs in executed for o in outs)
    committed = [c for c in nbformat.read(ROOT / NOTEBOOK, as_version=4).cells
                 if c.cell_type == "code"]
    assert [c.source for c in committed] == [c.source for c, _, _ in executed]
    compared = 0
    for cell, (_, _, outputs) in zip(committed, executed):
        if "NBVAL_IGNORE_OUTPUT" in cell.source:
            continue
        assert _comparable(outputs) == _comparable(cell.outputs), cell.source[:80]
        compared += len(cell.outputs)
    # Outside its colophon, the committed notebook 01 has six outputs: one printed line,
    # three tables and two figures; the first says how many timeline rows are shown.
    printed = [o for c, _, outs in executed for o in outs if o["output_type"] == "stream"]
    assert printed[0]["text"].startswith("31 of 31 rows shown, 1992")
    assert compared == 6


def test_figures_written_through_the_server_match_the_committed_ones(lab, executed):
    written = sorted(p.name for p in (lab.repo / "figures").glob("01_*"))
    # notebook 01 saves two figures, each as PNG, SVG and a provenance sidecar
    assert written == [f"01_{n}.{e}" for n in ("control_model", "strategy_timeline")
                       for e in ("json", "png", "svg")]
    for name in written:
        assert (lab.repo / "figures" / name).read_bytes() == \
            (ROOT / "figures" / name).read_bytes(), name


@pytest.mark.browser
def test_screenshot_of_jupyterlab_with_notebook_01_open(lab):
    _browser.require_chromium()
    from selenium.webdriver.common.by import By

    with _browser.chromium(1400, 1000, page_load_timeout=60) as driver:
        driver.get(f"{lab.url}/lab/tree/{NOTEBOOK}?token={lab.token}")
        _browser.wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".jp-Notebook"),
                          timeout=60, what="the notebook panel")
        # The saved outputs of notebook 01 include its two figures; they render one by one.
        def rendered_images():
            found = [i for i in driver.find_elements(By.CSS_SELECTOR,
                                                     ".jp-Notebook .jp-OutputArea img")
                     if driver.execute_script("return arguments[0].naturalWidth > 0", i)]
            return found if len(found) >= 2 else None

        _browser.wait_for(rendered_images, timeout=60, what="the notebook's two figures")
        # Markdown cells render after the outputs: wait for the title rather than race it.
        titles = _browser.wait_for(lambda: [
            h.text for h in driver.find_elements(By.CSS_SELECTOR,
                                                 ".jp-Notebook .jp-MarkdownOutput h1")
            if h.text], timeout=60, what="the notebook's rendered title")
        assert titles[0].startswith("01 · National IT strategy")
        _browser.wait_for(lambda: driver.find_elements(
            By.CSS_SELECTOR, ".jp-Notebook-ExecutionIndicator[data-status='idle']"),
            timeout=60, what="the kernel to be idle")
        time.sleep(0.5)  # let the last layout pass finish before the picture
        shot = _browser.screenshot(driver, _browser.SCREENSHOTS / "jupyterlab_01.png",
                                   full_page=False)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
