#!/usr/bin/env bash
# Build the frozen app: dist/nnpad/ (onedir) and dist/nnpad-<version>-linux-<arch>.tar.gz.
#
#   bash packaging/build.sh [--tensorflow tensorflow-cpu|tensorflow] [--reuse-venv]
#
# 1. a clean virtual environment build/venv with only nnpad's run-time dependencies
#    (one Qt binding: PySide6-Essentials) and PyInstaller, nnpad installed from this
#    checkout (not editable); TensorFlow as tensorflow-cpu by default (the same
#    TensorFlow without the CUDA kernels, about 300 MB smaller in the bundle);
# 2. PyInstaller with packaging/nnpad.spec;
# 3. the frozen app's self-test (offscreen when there is no display); a failure fails
#    the build;
# 4. the size on disk, the compressed archive and its size, the build time.
#
# Runs on a fresh Debian/Ubuntu machine as root: installs binutils (PyInstaller needs
# objcopy/objdump), python3-venv and Qt's system libraries when they are missing.
# PYTHON=/path/to/python3.11 picks the interpreter (default: python3.11, else python3).
set -euo pipefail

started=$(date +%s)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TF_PACKAGE=tensorflow-cpu
REUSE_VENV=0
while (($#)); do
  case "$1" in
    --tensorflow) TF_PACKAGE="$2"; shift 2 ;;
    --reuse-venv) REUSE_VENV=1; shift ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$TF_PACKAGE" in
  tensorflow | tensorflow-cpu) ;;
  *) echo "build.sh: --tensorflow must be tensorflow or tensorflow-cpu" >&2; exit 2 ;;
esac

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
VENV="$ROOT/build/venv"
WORK="$ROOT/build/pyinstaller"
DIST="$ROOT/dist"
LOG="$ROOT/build/pyinstaller.log"
step() { printf '\n== %s (%ds)\n' "$*" "$(($(date +%s) - started))"; }

# -- system packages ------------------------------------------------------------------
step "system packages"
pyver="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
missing=()
command -v objcopy >/dev/null && command -v objdump >/dev/null || missing+=(binutils)
"$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || missing+=("python${pyver}-venv")
# PyInstaller bundles libpython; Debian's interpreter is static, the library separate.
shared="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_config_var("Py_ENABLE_SHARED") or 0)')"
if [[ "$shared" != 1 ]] && ! ldconfig -p | grep -q "libpython${pyver}\.so"; then
  missing+=("libpython${pyver}")
fi
# Qt's system libraries (as in .ci/run): the self-test runs the frozen Qt.
for pair in libEGL.so.1:libegl1 libGL.so.1:libgl1 libxkbcommon.so.0:libxkbcommon0 \
            libfontconfig.so.1:libfontconfig1 libdbus-1.so.3:libdbus-1-3 \
            libglib-2.0.so.0:libglib2.0-0; do
  ldconfig -p | grep -q "${pair%%:*}" || missing+=("${pair##*:}")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi
echo "python: $PYTHON ($pyver)"

# -- clean virtual environment ----------------------------------------------------------
if [[ "$REUSE_VENV" == 1 && -x "$VENV/bin/pyinstaller" ]]; then
  step "reusing $VENV"
else
  step "clean virtual environment $VENV ($TF_PACKAGE)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  # nnpad's run-time dependencies from pyproject.toml, with TensorFlow as chosen;
  # PyInstaller from the "packaging" extra.
  "$VENV/bin/python" - "$TF_PACKAGE" >"$ROOT/build/requirements.txt" <<'EOF'
import re
import sys
import tomllib

project = tomllib.load(open("pyproject.toml", "rb"))["project"]
for requirement in project["dependencies"]:
    name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)
    if name.lower() == "tensorflow":
        requirement = sys.argv[1] + requirement[len(name):]
    print(requirement)
print(*project["optional-dependencies"]["packaging"], sep="\n")
EOF
  cat "$ROOT/build/requirements.txt"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/build/requirements.txt"
fi
# nnpad itself, built as a wheel from this checkout, reused environment or not (its
# code and assets change between builds while its version does not); its dependencies
# are above (--no-deps keeps pip from adding "tensorflow" next to tensorflow-cpu).
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps --force-reinstall "$ROOT"

step "checking the environment"
"$VENV/bin/python" -I - <<'EOF'
import importlib.metadata as md
import importlib.util
import sys

bindings = [m for m in ("PySide6", "PyQt6", "PyQt5", "PySide2") if importlib.util.find_spec(m)]
if bindings != ["PySide6"]:
    sys.exit(f"build.sh: expected exactly one Qt binding (PySide6), found {bindings}")
names = sorted(d.metadata["Name"] for d in md.distributions())
if any(n.lower() in {"pyside6", "pyside6-addons"} for n in names):
    sys.exit("build.sh: PySide6-Addons is installed; nnpad needs only PySide6-Essentials")
spec = importlib.util.find_spec("nnpad")
if "site-packages" not in spec.origin:
    sys.exit(f"build.sh: nnpad is not installed as a package ({spec.origin})")
print(f"{len(names)} distributions, one Qt binding (PySide6-Essentials)")
print(" ".join(f"{n}=={md.version(n)}" for n in names))
EOF
version="$("$VENV/bin/python" -I -c 'import nnpad; print(nnpad.__version__)')"

# -- PyInstaller ---------------------------------------------------------------------
step "PyInstaller (log: build/pyinstaller.log)"
rm -rf "$DIST/nnpad"
if ! (cd "$ROOT/build" && "$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
      --distpath "$DIST" --workpath "$WORK" "$ROOT/packaging/nnpad.spec") >"$LOG" 2>&1; then
  tail -40 "$LOG"
  echo "build.sh: PyInstaller failed; see $LOG" >&2
  exit 1
fi
grep -E "^nnpad\.spec:" "$LOG" || true
dangling="$(find "$DIST/nnpad" -xtype l)"
if [[ -n "$dangling" ]]; then
  echo "build.sh: links to files left out of the bundle:" $dangling >&2
  exit 1
fi
frozen_at=$(date +%s)

# -- self-test -----------------------------------------------------------------------
step "self-test of the frozen app"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
platform=()
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  platform=(QT_QPA_PLATFORM=offscreen)
fi
# env -i: the frozen app must not lean on this shell's Python variables.
if ! env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME="$home" NNPAD_HOME="$home" ${DISPLAY:+DISPLAY=$DISPLAY} \
    "${platform[@]}" timeout 900 "$DIST/nnpad/nnpad" --self-test; then
  echo "build.sh: the frozen app's self-test failed" >&2
  exit 1
fi
selftest_done=$(date +%s)

# -- sizes ---------------------------------------------------------------------------
step "archive"
archive="$DIST/nnpad-${version}-linux-$(uname -m).tar.gz"
tar -C "$DIST" -czf "$archive" nnpad
finished=$(date +%s)

echo
echo "bundle:   $DIST/nnpad  $(du -sh "$DIST/nnpad" | cut -f1) on disk" \
  "($(du -sb "$DIST/nnpad" | cut -f1) bytes, $(find "$DIST/nnpad" -type f | wc -l) files)"
echo "archive:  $archive  $(du -h "$archive" | cut -f1) ($(stat -c %s "$archive") bytes)"
echo "largest:"
du -sh "$DIST"/nnpad/_internal/* | sort -rh | head -8 | sed 's/^/  /'
echo "time:     $((finished - started)) s in all; PyInstaller done at" \
  "$((frozen_at - started)) s, self-test $((selftest_done - frozen_at)) s," \
  "archive $((finished - selftest_done)) s"
