"""The frozen app (``packaging/``): cheap checks always, the real bundle when built.

``packaging/build.sh`` builds ``dist/nnpad/``; the tests that run it are skipped when
it is not there (CI does not build the bundle on every run).
"""

from __future__ import annotations

import configparser
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
ASSETS = ROOT / "assets"
DIST = ROOT / "dist" / "nnpad"
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""


# -- always: the spec, the entry point, the build script, the desktop assets ----------


def _run_spec(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Execute the spec with stand-ins for PyInstaller's API; return what it called."""
    calls: dict[str, list[Any]] = {}
    # CI installs no PyInstaller: stand in for the one helper the spec imports.
    hooks = ModuleType("PyInstaller.utils.hooks")
    hooks.copy_metadata = lambda name: [(f"<{name} metadata>", ".")]  # type: ignore[attr-defined]
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)

    def recorder(kind: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> SimpleNamespace:
            calls.setdefault(kind, []).append((args, kwargs))
            return SimpleNamespace(args=args, kwargs=kwargs)

        return record

    namespace: dict[str, Any] = {
        "__name__": "__main__",
        "SPECPATH": str(PACKAGING),
        "workpath": str(ROOT / "build" / "spec-test"),  # nothing is written there
        **{name: recorder(name) for name in ("PYZ", "EXE", "COLLECT", "BUNDLE")},
    }

    def analysis(scripts: list[str], **kwargs: Any) -> SimpleNamespace:
        calls.setdefault("Analysis", []).append((scripts, kwargs))
        return SimpleNamespace(
            scripts=scripts, pure=[], binaries=[], datas=list(kwargs["datas"])
        )

    namespace["Analysis"] = analysis
    source = (PACKAGING / "nnpad.spec").read_text(encoding="utf-8")
    exec(compile(source, "nnpad.spec", "exec"), namespace)
    return calls


def test_spec_names_no_machine_paths() -> None:
    text = (PACKAGING / "nnpad.spec").read_text(encoding="utf-8")
    assert not re.search(r"/work/|/home/|/root/|/Users/|[A-Za-z]:\\\\", text)


def test_spec_derives_entry_and_assets(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _run_spec(monkeypatch)
    (scripts, options), *_ = calls["Analysis"]
    assert [Path(s) for s in scripts] == [PACKAGING / "entry.py"]
    assets = [(src, dest) for src, dest in options["datas"] if dest == "assets"]
    shipped = {Path(src).name: dest for src, dest in assets}
    for name in (
        "default_model.keras",
        "cnn_model.keras",
        "mnist_sample.npz",
        "nnpad.svg",
        "nnpad.png",
        "nnpad.desktop",
    ):
        assert shipped.get(name) == "assets", name
    assert all(Path(src).is_file() for src, _ in assets)
    assert not any("screenshot" in src for src, _ in assets)
    assert ("<keras metadata>", ".") in options["datas"]  # for `nnpad info`
    # Never exclude what nnpad or pyqtgraph imports.
    needed = {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtSvg"}
    needed |= {"PySide6.QtTest", "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets"}
    needed |= {"keras", "tensorflow", "h5py", "PIL", "numpy", "pyqtgraph"}
    assert not needed & set(options["excludes"])
    executables = [kwargs["name"] for _, kwargs in calls["EXE"]]
    assert executables[0] == "nnpad"
    assert all(not kwargs["upx"] for _, kwargs in calls["EXE"])
    assert all(kwargs["exclude_binaries"] for _, kwargs in calls["EXE"])  # onedir
    ((_, collect),) = calls["COLLECT"]
    assert collect["name"] == "nnpad"


def test_entry_point_imports() -> None:
    spec = importlib.util.spec_from_file_location("nnpad_entry", PACKAGING / "entry.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines main(); runs nothing
    assert callable(module.main)


def test_build_script_parses() -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    subprocess.run([bash, "-n", str(PACKAGING / "build.sh")], check=True)


def test_desktop_entry_and_icons() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(ASSETS / "nnpad.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Name"] == "nnpad"
    assert desktop["Exec"] == "nnpad-gui"
    assert desktop["Icon"] == "nnpad"
    assert desktop["Terminal"] == "false"
    assert desktop["Categories"].endswith(";")
    assert "<svg" in (ASSETS / "nnpad.svg").read_text(encoding="utf-8")
    with Image.open(ASSETS / "nnpad.png") as png:
        assert png.size == (256, 256)
    with Image.open(ASSETS / "nnpad.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(ASSETS / "nnpad.icns") as icns:
        assert icns.format == "ICNS"


# -- when built: the frozen app ------------------------------------------------------


def _frozen() -> Path:
    """The executable that prints: the console twin where there is one."""
    for name in ("nnpad-cli", "nnpad"):
        path = DIST / (name + EXE_SUFFIX)
        if path.is_file():
            return path
    pytest.skip(f"no frozen app in {DIST}: build it with packaging/build.sh")


def _frozen_env(home: Path, **extra: str) -> dict[str, str]:
    """The test's environment without anything that points at a Python install."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "KERAS_", "TF_"))
    }
    env.update(NNPAD_HOME=str(home), **extra)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


@pytest.mark.slow
def test_frozen_self_test(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(_frozen()), "--self-test"],
        env=_frozen_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "self-test: passed" in result.stdout, output[-4000:]


def test_frozen_predict(tmp_path: Path) -> None:
    frozen = _frozen()
    with np.load(ASSETS / "mnist_sample.npz", allow_pickle=False) as sample:
        index = int(np.flatnonzero(sample["y_train"] == 3)[0])
        Image.fromarray(sample["x_train"][index]).resize((112, 112)).save(
            tmp_path / "three.png"
        )
    result = subprocess.run(
        [str(frozen), "predict", "--json", "three.png"],
        env=_frozen_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert json.loads(result.stdout)["digit"] == 3


def test_frozen_window_and_first_prediction(tmp_path: Path) -> None:
    frozen = DIST / ("nnpad" + EXE_SUFFIX)
    if not frozen.is_file():
        _frozen()  # skips with the reason
    launched = time.time()
    result = subprocess.run(
        [str(frozen)],
        env=_frozen_env(tmp_path, NNPAD_QUIT_AFTER_FIRST_PREDICTION="1"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    match = re.search(r"STARTUP shown=([\d.]+) predicted=([\d.]+).*", result.stdout)
    assert match, result.stdout + result.stderr[-4000:]
    assert "tensorflow=False" in match.group(0)
    assert "prediction=7" in match.group(0)
    assert float(match.group(2)) - launched < 30  # a hang, not a benchmark
