"""Drive JupyterLab (or Notebook 7) in Debian's Chromium with Playwright.

Each server gets a free port and its own temp dirs for config, data, runtime, IPython,
workspaces and settings, so nothing from an earlier run leaks in; it is stopped by PID.
Every wait is on a condition (HTTP status, a DOM state, the kernel's connection status),
never a fixed sleep. See shared/notes/browser-testing.md for the traps behind each step.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

SERVER_START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], Any], timeout: float, what: str, poll: float = 0.05) -> Any:
    """Poll ``condition`` until it returns something truthy; fail with ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(poll)


@dataclass
class JupyterServer:
    """A running Jupyter server: its URL, root dir and process."""

    url: str
    root: Path
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _server_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/status", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def jupyter_server(root: Path, app: str = "lab") -> Iterator[JupyterServer]:
    """Start ``jupyter lab`` or ``jupyter notebook`` serving ``root`` on a free port."""
    home = root / ".jupyter-home"
    dirs = {name: home / name for name in ("config", "data", "runtime", "ipython",
                                           "workspaces", "settings")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    # The news toast would cover screenshots; switch the plugin off for this server.
    labconfig = dirs["config"] / "labconfig"
    labconfig.mkdir(exist_ok=True)
    (labconfig / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
    ))
    env = dict(os.environ)
    env.update({
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "IPYTHONDIR": str(dirs["ipython"]),
        # Keep the installed labextensions (bqplot, widgets) visible: they live in
        # sys.prefix/share/jupyter, which stays on the path with a custom data dir.
        "JUPYTER_PREFER_ENV_PATH": "1",
    })
    port = free_port()
    command = [
        sys.executable, "-m", "jupyter", app, "--no-browser", f"--port={port}",
        "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
        "--allow-root", "--ServerApp.port_retries=0", f"--ServerApp.root_dir={root}",
    ]
    if app == "lab":
        command += [
            "--LabApp.expose_app_in_browser=True",
            f"--LabApp.workspaces_dir={dirs['workspaces']}",
            f"--LabApp.user_settings_dir={dirs['settings']}",
        ]
    else:
        command += ["--JupyterNotebookApp.expose_app_in_browser=True"]
    log_path = root / f"jupyter-{app}.log"
    log = log_path.open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                               cwd=root, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    server = JupyterServer(url=url, root=root, process=process, log_path=log_path)
    try:
        wait_until(lambda: process.poll() is not None or _server_ready(url),
                   SERVER_START_TIMEOUT, "the Jupyter server to answer")
        if process.poll() is not None:
            raise RuntimeError(f"jupyter {app} exited early:\n{server.log()}")
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # the server and its kernels, by PID
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def write_notebook(path: Path, cells: list[str]) -> Path:
    """Write a notebook of code cells (no outputs) to ``path``."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)
    return path


# JavaScript run in the page. `window.jupyterapp` exists because the server was started
# with expose_app_in_browser.
_KERNEL = "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
JS_KERNEL_READY = f"""() => {{
    try {{
        const k = {_KERNEL};
        return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
    }} catch (e) {{ return false; }}
}}"""
JS_EXECUTE = f"""async (code) => {{
    const kernel = {_KERNEL};
    const future = kernel.requestExecute({{code, store_history: false}});
    let out = '';
    future.onIOPub = (msg) => {{
        const t = msg.header.msg_type;
        if (t === 'stream') out += msg.content.text;
        if (t === 'error') out += 'KERNEL-ERROR ' + msg.content.ename + ': ' + msg.content.evalue;
        if (t === 'execute_result') out += msg.content.data['text/plain'] + '\\n';
    }};
    await future.done;
    return out;
}}"""


class LabPage:
    """One notebook open in JupyterLab, with helpers to run code and read the page."""

    def __init__(self, page: Any, server: JupyterServer) -> None:
        self.page = page
        self.server = server
        #: Console errors and uncaught exceptions of the page, for failure reports.
        self.console_errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))

    @classmethod
    def open(cls, context: Any, server: JupyterServer, notebook: str,
             theme: str | None = None) -> LabPage:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{server.url}/lab/tree/{notebook}?reset", wait_until="domcontentloaded")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=60_000)
        page.wait_for_function("() => window.jupyterapp.shell.currentWidget"
                               " && window.jupyterapp.shell.currentWidget.sessionContext",
                               timeout=60_000)
        lab = cls(page, server)
        lab.command("application:toggle-left-area", only_if="window.jupyterapp.shell.leftCollapsed === false")
        if theme:
            lab.command("apputils:change-theme", {"theme": theme})
            page.wait_for_function(
                "(name) => document.body.dataset.jpThemeName === name", arg=theme)
        lab.wait_kernel()
        return lab

    def command(self, name: str, args: dict | None = None, only_if: str = "true") -> None:
        self.page.evaluate(
            f"async ([n, a]) => {{ if ({only_if}) await window.jupyterapp.commands.execute(n, a); }}",
            [name, args or {}],
        )

    def wait_kernel(self, timeout: float = 90_000) -> None:
        self.page.wait_for_function(JS_KERNEL_READY, timeout=timeout)

    def run_all(self) -> None:
        self.wait_kernel()
        self.command("notebook:run-all-cells")

    def execute(self, code: str) -> str:
        """Run ``code`` in the notebook's kernel; return what it printed. Fails on error."""
        out = self.page.evaluate(JS_EXECUTE, code)
        if "KERNEL-ERROR" in out:
            raise AssertionError(f"kernel raised while running {code!r}:\n{out}")
        return out

    def wait_for(self, js_predicate: str, arg: Any = None, timeout: float = 30_000) -> Any:
        return self.page.wait_for_function(js_predicate, arg=arg, timeout=timeout).json_value()

    def wait_for_kernel_value(self, expression: str, expected: str, timeout: float = 20,
                              report: Callable[[], str] | None = None) -> None:
        """Until ``print(expression)`` in the kernel prints ``expected``; fails with what it
        printed last (and ``report()``, if given). A change the page sent reaches Python
        asynchronously: an execute request sent after it may be handled first (ipykernel
        7 handles a comm message that comes while a cell holds the shell concurrently,
        and it was seen to come after the next cell: CI at 6914b9e)."""
        deadline = time.monotonic() + timeout
        while (got := self.execute(f"print({expression})").strip()) != expected:
            if time.monotonic() >= deadline:
                more = f"; {report()}" if report is not None else ""
                raise AssertionError(f"{expression} stayed {got!r}, expected {expected!r}{more}")


def record_page_messages(grid: str) -> str:
    """Kernel code that keeps every message the page sends ``grid``'s controller in
    ``page_messages``, for :func:`page_messages_report`."""
    return ("page_messages = []\n"
            f"{grid}._view.controller.on_msg("
            "lambda _w, content, _b: page_messages.append(content))\n")


def page_messages_report(lab: LabPage, grid: str) -> str:
    """A failure's report when Python lacks a change the page made: the last messages the
    page sent ``grid``'s controller and the number of the stack Python shows (a click
    named by another stack is refused, one never heard is lost: this tells them apart)."""
    return "the page's last messages: " + lab.execute(
        f"print(page_messages[-4:], 'stack', {grid}._stack_serial)").strip()


def _answers(url: str) -> bool:
    """Does the server answer HTTP at all? (Any status: in single-notebook mode Voila
    serves only the app, and a GET of the app would start a kernel.)"""
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@contextmanager
def voila_server(root: Path, notebook: str) -> Iterator[str]:
    """Voila serving ``root / notebook`` on a free port with its own Jupyter dirs; its URL.
    Stopped (with its kernels) by its process group when the block ends."""
    home = root / ".jupyter-home"
    env = dict(os.environ)
    for name, variable in (("config", "JUPYTER_CONFIG_DIR"), ("data", "JUPYTER_DATA_DIR"),
                           ("runtime", "JUPYTER_RUNTIME_DIR"), ("ipython", "IPYTHONDIR")):
        (home / name).mkdir(parents=True, exist_ok=True)
        env[variable] = str(home / name)
    env["JUPYTER_PREFER_ENV_PATH"] = "1"  # the installed widget front ends stay visible
    port = free_port()
    log_path = root / "voila.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "voila", notebook, "--no-browser", f"--port={port}",
             "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--show_tracebacks=True"],
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: process.poll() is not None or _answers(f"{url}/voila/static/"),
                       SERVER_START_TIMEOUT, "Voila to answer")
            assert process.poll() is None, f"voila exited early:\n{log_path.read_text()}"
            yield url
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # Voila and its kernels, by PID
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
