"""Calibration and "not a digit": the trade-off curve of a model, on held-out data.

Usage::

    python tests/benchmarks/bench_rejection.py --data mnist_train.npz \
        [--model M.keras [--store]] [--nondigits 3000] [--drawn 2000] \
        [--strokes mnist_val_strokes.json [--more-strokes val_extra.json]]

``--data`` is an ``.npz`` with the 60,000 MNIST training images; only its validation
tail (the last 1/6, never trained on) is used. Two disjoint halves of everything:

- selection: the first half of the tail, drawn digits of seed 101, non-digits of
  ``nondigits.SELECTION_SEED`` and the tuning half of the real traced digits; the
  temperature and the thresholds are fitted here;
- report: the second half of the tail, drawn digits of seed 202, non-digits of
  ``nondigits.TEST_SEED`` and the reporting half of the real traced digits; every
  figure below "report" is measured here.

``--strokes`` is a file of real MNIST validation digits traced into pen strokes
(``tests/support/real_strokes.py`` splits it in halves); they are rendered as the
canvas renders a drawing. With it, the temperature is fitted on them and MNIST,
and the thresholds are chosen on them and MNIST (not on the made-up writers).
``--more-strokes`` adds the digits of another such file (never trained on, none of
``--strokes``' digits) to the selection half: a fit on more real handwriting than
half of ``--strokes`` holds. Only those traced from the selection half of the MNIST
tail join, so that nothing the thresholds are chosen on was drawn from a reported
MNIST image.

``--store`` writes the temperature and thresholds chosen on the selection half into
the model file's ``nnpad.json`` (as ``"verdict"``, see ``nnpad.core.reading.verdict``),
after the figures: how the shipped model gets them.

Drawn digits are stroke templates with a writer's jitter (tests/support/handwriting),
rendered like the canvas. Non-digits come from every kind, including the kinds kept
out of training (``nondigits.HELD_OUT_KINDS``), reported apart. "Sure" means the top
calibrated probability is at least the threshold; "flagged" means not sure (unsure or
"not a digit").
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's nnpad

import numpy as np

from nnpad.core.data import load_file, split_validation
from nnpad.core.data.traced import canvas_images, load_traced
from nnpad.core.files import atomic_path
from nnpad.core.measure.calibration import (
    expected_calibration_error,
    fit_temperature,
    negative_log_likelihood,
    softmax,
)
from nnpad.core.measure.rejection import auroc, choose_thresholds, energy, outcome
from nnpad.core.model.archive import METADATA_NAME
from nnpad.core.model.store import load as load_model
from nnpad.core.reading.preprocess import drawing_to_mnist
from nnpad.core.reading.verdict import Thresholds
from nnpad.core.training import nondigits
from tests.support.handwriting import Style, random_drawing
from tests.support.real_strokes import halves

DRAWN_SEEDS = {"selection": 101, "report": 202}
SURE_GRID = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995)
REJECT_GRID = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7)


def drawn_digits(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` drawn digits (uint8 MNIST images) from jittered templates, and labels."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    while len(images) < n:
        digit = int(rng.integers(10))
        style = Style(
            slant=rng.uniform(-0.1, 0.1),
            aspect=rng.uniform(0.85, 1.15),
            wobble=rng.uniform(0.5, 1.5),
        )
        drawing = random_drawing(
            digit, rng.uniform(60, 230), rng.uniform(10, 30), rng, style=style
        )
        image = drawing_to_mnist(drawing)
        if image is not None:
            images.append(np.rint(image * 255).astype(np.uint8))
            labels.append(digit)
    return np.stack(images), np.array(labels)


def real_digits(
    path: str, more: str | None = None, indices: range = range(0)
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Real traced digits rendered as the canvas would: the two halves.

    The digits of ``more`` traced from MNIST ``indices``, if given, join the
    selection half.
    """
    everything = load_traced(path)
    tune, report_half = halves(everything)
    if more is not None:
        held = {d.index for d in everything}
        extra = load_traced(more)
        if any(d.index in held for d in extra):
            raise SystemExit(f"{more} shares digits with {path}: not a separate set")
        tune = tune + [d for d in extra if d.index in indices]
    return {"selection": canvas_images(tune), "report": canvas_images(report_half)}


def pct(value: float | None) -> str:
    return "   -  " if value is None else f"{value:6.1%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="MNIST training .npz")
    parser.add_argument("--model", help="a .keras model (default: the shipped one)")
    parser.add_argument("--nondigits", type=int, default=3000, help="per half")
    parser.add_argument("--drawn", type=int, default=2000, help="per half")
    parser.add_argument(
        "--strokes", help="real digits traced into strokes (JSON), for both halves"
    )
    parser.add_argument(
        "--more-strokes", help="more real traced digits, for the selection half only"
    )
    parser.add_argument("--sure-share", type=float, default=0.98)
    parser.add_argument("--reject-share", type=float, default=0.005)
    parser.add_argument(
        "--store", action="store_true", help="write the chosen thresholds into --model"
    )
    args = parser.parse_args()
    if args.store and not args.model:
        parser.error("--store needs --model (the shipped model is not rewritten)")
    if args.more_strokes and not args.strokes:
        parser.error("--more-strokes needs --strokes")

    loaded = load_model(args.model)
    net = loaded.network
    print(f"model: {args.model or 'shipped'}: {loaded.recipe.architecture.describe()}")
    train = loaded.recipe.train
    print(f"  outlier exposure {train.outlier_exposure:g}, outliers {train.outliers}")
    data = load_file(args.data)
    *_, x_val, y_val = split_validation(data.x_train, data.y_train, 1 / 6)
    half = len(x_val) // 2
    started = time.perf_counter()
    tail = len(data.x_train) - len(x_val)  # the MNIST index of the tail's first image
    real = (
        real_digits(args.strokes, args.more_strokes, range(tail, tail + half))
        if args.strokes
        else None
    )
    sets: dict[str, dict[str, tuple[np.ndarray, np.ndarray | None]]] = {}
    kinds: dict[str, list[nondigits.NonDigit]] = {}
    for part, (lo, hi), nd_seed in (
        ("selection", (0, half), nondigits.SELECTION_SEED),
        ("report", (half, len(x_val)), nondigits.TEST_SEED),
    ):
        images, items = nondigits.render_nondigits(
            nondigits.nondigit_drawings(args.nondigits, nd_seed)
        )
        kinds[part] = items
        sets[part] = {
            "mnist": (x_val[lo:hi], y_val[lo:hi]),
            "drawn": drawn_digits(args.drawn, DRAWN_SEEDS[part]),
            "nondigits": (images, None),
        }
        if real is not None:
            sets[part]["real"] = real[part]
    print(f"data ready in {time.perf_counter() - started:.1f} s")
    logits = {
        part: {name: net.logits(x / 255.0) for name, (x, _) in group.items()}
        for part, group in sets.items()
    }
    sel, rep = logits["selection"], logits["report"]
    labels = {p: {n: y for n, (_, y) in g.items()} for p, g in sets.items()}

    # -- accuracy and calibration -----------------------------------------------------
    acc = (np.concatenate((sel["mnist"], rep["mnist"])).argmax(1) == y_val).mean()
    print(f"\nMNIST validation tail accuracy ({len(y_val)} images): {acc:.2%}")
    for name in ("drawn", "real"):
        if name in rep:
            right = (rep[name].argmax(1) == labels["report"][name]).mean()
            print(f"{name} digits accuracy (report, {len(rep[name])}): {right:.2%}")
    stored = Thresholds.from_metadata(loaded.metadata)
    has_stored = "verdict" in loaded.metadata
    digit_sets = [name for name in ("mnist", "drawn", "real") if name in sel]
    # With real drawn digits, the temperature is fitted on them and MNIST together
    # (fitted on the real ones alone, 1.2, it left their calibration error as it
    # was and raised MNIST's and the made-up writers').
    fitted_on = [n for n in ("mnist", "real") if n in sel]
    temperature = fit_temperature(
        np.concatenate([sel[n] for n in fitted_on]),
        np.concatenate([labels["selection"][n] for n in fitted_on]),
    )
    print(f"\ntemperature fitted on the selection half: {temperature:.3f}")
    if has_stored:
        print(f"temperature stored in the model: {stored.temperature:.3f}")
    print("calibration (report)      ECE 15 bins   NLL      (T=1 -> fitted T)")
    for name in digit_sets:
        y = labels["report"][name]
        before, after = softmax(rep[name]), softmax(rep[name], temperature)
        print(
            f"  {name:8s} ECE {expected_calibration_error(before, y):.4f} -> "
            f"{expected_calibration_error(after, y):.4f}   NLL "
            f"{negative_log_likelihood(before, y):.4f} -> "
            f"{negative_log_likelihood(after, y):.4f}"
        )

    # -- scores -----------------------------------------------------------------------
    nd_top = softmax(rep["nondigits"], temperature).max(1)
    print(
        f"\nnon-digits (report, {len(nd_top)}): median top probability "
        f"{np.median(softmax(rep['nondigits']).max(1)):.1%} (T=1), "
        f"{np.median(nd_top):.1%} (fitted T); "
        f"{np.mean(softmax(rep['nondigits']).max(1) >= 0.9):.1%} at or above 90% (T=1)"
    )
    # Which score separates digits from non-digits: measured on the selection half,
    # where the choice is made.
    print("AUROC digits vs non-digits (selection):  max probability   energy")
    for name in digit_sets:
        msp = auroc(
            softmax(sel[name], temperature).max(1),
            softmax(sel["nondigits"], temperature).max(1),
        )
        en = auroc(
            energy(sel[name], temperature), energy(sel["nondigits"], temperature)
        )
        print(f"  {name:8s}                              {msp:.4f}          {en:.4f}")

    # -- trade-off curve --------------------------------------------------------------
    held = np.array([it.kind in nondigits.HELD_OUT_KINDS for it in kinds["report"]])
    print(
        "\ntrade-off (report): sure at or above t (sure share, right when sure); "
        "flagged = unsure or not a digit\n"
        f"{'t':>6} | "
        + " | ".join(f"{name + ' sure, acc':>16}" for name in digit_sets)
        + f" | {'non-digits flagged':>18} {'seen kinds':>10} {'held-out':>8}"
    )
    for t in SURE_GRID:
        th = Thresholds(temperature, 0.0, t, 0.2)
        cells = []
        for name in digit_sets:
            o = outcome(rep[name], th, labels["report"][name])
            cells.append(f"{pct(o.sure):>8} {pct(o.sure_accuracy):>7}")
        nd = softmax(rep["nondigits"], temperature).max(1) < t
        print(
            f"{t:6.3f} | "
            + " | ".join(cells)
            + f" | {pct(nd.mean()):>18} {pct(nd[~held].mean()):>10} "
            f"{pct(nd[held].mean()):>8}"
        )
    print(
        "\nrejection (report): 'not a digit' below r\n"
        f"{'r':>6} | " + " ".join(f"{n:>6}" for n in digit_sets) + " | non-digits"
    )
    for r in REJECT_GRID:
        shares = [
            pct((softmax(rep[n], temperature).max(1) < r).mean()) for n in digit_sets
        ]
        print(f"{r:6.2f} | {' '.join(shares)} | {pct((nd_top < r).mean())}")

    # -- chosen thresholds ------------------------------------------------------------
    # With real handwriting, the thresholds are chosen on it and on MNIST, not on
    # the made-up writers (which are only reported).
    chosen = choose_thresholds(
        temperature,
        [sel["mnist"], sel["real" if real else "drawn"]],
        sure_share=args.sure_share,
        reject_share=args.reject_share,
    )
    report("thresholds chosen on the selection half", chosen, rep, labels, kinds, held)
    if has_stored:
        report("thresholds stored in the model", stored, rep, labels, kinds, held)
    if args.store:
        note = (
            f"selection half: validation images 0-{half - 1} of the last 1/6 "
            f"({args.sure_share:.1%} sure, {args.reject_share:.1%} rejected) and "
            + (
                f"{len(real['selection'][1])} real traced digits drawn as on the "
                "canvas (the temperature with MNIST's; the same shares)"
                if real is not None
                else f"{args.drawn} drawn digits (seed {DRAWN_SEEDS['selection']})"
            )
            + "; tests/benchmarks/bench_rejection.py"
        )
        store_metadata(args.model, {**chosen.to_metadata(), "verdict_fitted_on": note})
        print(f"\nstored in {args.model}: {chosen.to_metadata()}")


def store_metadata(path: str, updates: dict) -> None:
    """Rewrite a model file's nnpad.json with ``updates`` merged in, atomically."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    names = [info.filename for info, _ in members]
    metadata = {}
    if METADATA_NAME in names:
        metadata = json.loads(members[names.index(METADATA_NAME)][1])
    metadata.update(updates)
    with (
        atomic_path(path, suffix=".keras") as tmp,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info, data in members:
            if info.filename != METADATA_NAME:
                target.writestr(info, data)
        target.writestr(METADATA_NAME, json.dumps(metadata, indent=2))


def report(title, th, rep, labels, kinds, held) -> None:
    print(
        f"\n{title}: temperature {th.temperature:.3f}, reject_below "
        f"{th.reject_below:.3f}, sure_at {th.sure_at:.3f}, close_at {th.close_at:.2f}"
    )
    print(
        f"{'report set':28s} {'sure':>7} {'sure acc':>8} {'unsure':>7} "
        f"{'rejected':>8} {'flagged':>7}"
    )
    for name in [n for n in ("mnist", "drawn", "real") if n in rep]:
        o = outcome(rep[name], th, labels["report"][name])
        print(
            f"  {name + ' digits':26s} {pct(o.sure)} {pct(o.sure_accuracy):>8} "
            f"{pct(o.unsure)} {pct(o.rejected):>8} {pct(o.flagged)}"
        )
    for name in [n for n in ("mnist", "drawn", "real") if n in rep]:
        y = labels["report"][name]
        sure = softmax(rep[name], th.temperature).max(1) >= th.sure_at
        print(
            f"  {name} sure by digit: "
            + " ".join(f"{d}:{sure[y == d].mean():.0%}" for d in range(10))
        )
    unsure_digits(rep["mnist"], labels["report"]["mnist"], th)
    z = rep["nondigits"]
    groups = {
        "non-digits, all": np.ones(len(z), bool),
        "  seen kinds": ~held,
        "  held-out kinds": held,
    }
    for family in nondigits.FAMILIES:
        groups[f"  {family}"] = np.array(
            [it.family == family for it in kinds["report"]]
        )
    for name, mask in groups.items():
        o = outcome(z[mask], th)
        print(
            f"  {name:26s} {pct(o.sure)} {'':>8} {pct(o.unsure)} "
            f"{pct(o.rejected):>8} {pct(o.flagged)}  (n={mask.sum()})"
        )
    worst = collections.Counter()
    tops = softmax(z, th.temperature).max(1)
    for it, top in zip(kinds["report"], tops, strict=True):
        worst[it.kind] += int(top >= th.sure_at)
    totals = collections.Counter(it.kind for it in kinds["report"])
    shares = sorted(((worst[k] / totals[k], k) for k in totals), reverse=True)[:8]
    print(
        "  most often read as a sure digit: "
        + ", ".join(f"{k} {s:.0%}" for s, k in shares)
    )


def unsure_digits(z: np.ndarray, y: np.ndarray, th: Thresholds) -> None:
    """How useful "4 or 9?" is: where the truth is among unsure MNIST readings."""
    p = softmax(z, th.temperature)
    top = p.max(1)
    unsure = (top >= th.reject_below) & (top < th.sure_at)
    if not unsure.any():
        return
    order = np.argsort(-p[unsure], axis=1)
    truth = y[unsure]
    first = (order[:, 0] == truth).mean()
    close = np.sort(p[unsure], axis=1)[:, -2] >= th.close_at
    named = np.where(
        close, (order[:, :2] == truth[:, None]).any(1), order[:, 0] == truth
    )
    print(
        f"  unsure MNIST readings ({unsure.sum()}): top digit right {first:.0%}, "
        f'"X or Y?" form {close.mean():.0%} of them, truth among the digits '
        f"named {named.mean():.0%}"
    )


if __name__ == "__main__":
    main()
