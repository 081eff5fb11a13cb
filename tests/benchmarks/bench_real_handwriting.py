"""Real handwriting: MNIST digits traced into pen strokes, on the window and as files.

Usage: python tests/benchmarks/bench_real_handwriting.py --strokes STROKES.json
       [--half report|tune|all] [--count N] [--numbers N] [--nondigits N]
       [--sizes 28,56,140,280] [--parts canvas,pictures,numbers,nondigits]
       [--model MODEL.keras] [--seed S] [--worst N] [--json OUT.json]
       [--data mnist_train.npz]

``STROKES.json`` holds real people's digits traced into strokes (see
`tests/support/real_strokes.py`; the project's shared data has 2,000 of MNIST's
validation part). The figures we report come from the report half (`halves`);
``--count`` takes that many of its digits, as many of each label as can be.

1. canvas: each digit is written with mouse events on the canvas of the real window
   (offscreen), 150-230 units high at a random place on the 560 x 280 canvas, brush 18
   (30% of them 10-28). Its reading is the session's after the last stroke: right
   (``Recognition.number`` is the label) against the whole drawing read as one piece
   (``drawing_to_mnist`` + the network's argmax; and "one piece read", with its verdict
   as the window gives it, a "not a digit" read ``?``), split into several marks, sure
   (every mark a "digit" verdict), right of those sure, and "not a digit" (a mark read
   ``?``); per label, and the worst cases (the ones one piece reads right first).
   With ``--data``, each digit read wrong is also read from the MNIST picture it was
   traced from: read right there, what the network missed was lost on the way to the
   canvas (in the tracing, or in the canvas' even pen), not in the digit.
2. pictures: the same digits (height and brush), centred in a square picture of
   each size, white on black, dark on light, and dark grey on noisy light grey paper,
   read by ``nnpad predict --json`` (in-process, from PNG files) against ``to_mnist``
   of the whole picture as one digit (the argmax, and "one piece read" with its
   verdict, as on the canvas).
3. numbers: ``--numbers`` numbers per length 2-6 of real digits of the same half
   with a person's gaps (`real_number`), fitted to the canvas and written on it, and
   as pictures through predict (white on black 280 px high, or noisy paper 140 px
   high, alternately): digit count right and whole number exact.
4. non-digits: generated non-digit drawings (`nnpad.core.training.nondigits`, the report
   seed, every kind) written on the canvas at a random place, each with its brush:
   flagged (not a sure digit) and "not a digit" (a mark read ``?``), per family.

``--json OUT`` writes every figure (percentages) for the README.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as nnpad/__init__.py sets it
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's nnpad

PARTS = ("canvas", "pictures", "numbers", "nondigits")
STYLES = ("white on black", "dark on light", "noisy paper")
# `tests.support.numbers.picture`: even numbers white on black, odd ones on paper.
NUMBER_PICTURES = ("white on black 280 px", "noisy paper 140 px")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (parsed before anything heavy is imported)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", required=True, help="traced strokes (.json)")
    parser.add_argument("--half", choices=("report", "tune", "all"), default="report")
    parser.add_argument("--count", type=int, help="digits (default: all of the half)")
    parser.add_argument("--numbers", type=int, default=100, help="numbers per length")
    parser.add_argument("--nondigits", type=int, default=300, help="non-digits drawn")
    parser.add_argument(
        "--sizes",
        default="28,56,140,280",
        help="picture heights in px (default %(default)s)",
    )
    parser.add_argument(
        "--parts", default=",".join(PARTS), help="comma-separated (default %(default)s)"
    )
    parser.add_argument("--model", type=Path, help="default: the shipped model")
    parser.add_argument("--seed", type=int, default=16, help="how they are written")
    parser.add_argument("--worst", type=int, default=12, help="worst cases listed")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the figures")
    parser.add_argument(
        "--data",
        type=Path,
        help="the MNIST file the strokes were traced from (mnist_train.npz): each "
        "digit the canvas reads wrong is read from its MNIST picture as well",
    )
    args = parser.parse_args(argv)
    args.parts = [p for p in args.parts.split(",") if p]
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error(f"--parts: unknown {sorted(unknown)}; choose among {PARTS}")
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    return args


def pct(hits: int, n: int) -> float:
    """A share in percent, one decimal (0 of nothing)."""
    return round(100.0 * hits / n, 1) if n else 0.0


class Tally:
    """Counts of named outcomes over trials: ``add(right=True, ...)``."""

    def __init__(self) -> None:
        self.n = 0
        self.hits: dict[str, int] = defaultdict(int)

    def add(self, **outcomes: bool) -> None:
        self.n += 1
        for name, hit in outcomes.items():
            self.hits[name] += bool(hit)

    def share(self, name: str, of: str | None = None) -> float:
        """Percent of trials with ``name`` (of those with ``of``, if given)."""
        return pct(self.hits[name], self.hits[of] if of else self.n)

    def figures(self, names: list[str], **among: str) -> dict[str, float | int]:
        out: dict[str, float | int] = {"n": self.n}
        out.update({name: self.share(name) for name in names})
        out.update({name: self.share(*of.split("/")) for name, of in among.items()})
        return out


def table(title: str, columns: list[str], rows: dict[str, dict]) -> None:
    """Print figures as a compact table: one row per key, one column per figure."""
    width = max(len(title), *(len(k) for k in rows))
    columns = ["n", *columns]
    print(f"{title:<{width}} " + " ".join(f"{c:>10}" for c in columns))
    for key, figures in rows.items():
        cells = []
        for c in columns:
            v = figures.get(c)
            if v is None:
                cells.append(f"{'':>10}")
            else:
                cells.append(f"{v:>10}" if isinstance(v, int) else f"{v:>9.1f}%")
        print(f"{key:<{width}} " + " ".join(cells))


def pick(digits: list, count: int | None, seed: int) -> list:
    """``count`` of the digits, as many of each label as can be (all: None)."""
    import numpy as np

    if count is None or count >= len(digits):
        return digits
    rng = np.random.default_rng([seed, 0])
    ranked = []  # (place in its label's shuffled list, label, digit)
    for label in sorted({d.label for d in digits}):
        mine = [d for d in digits if d.label == label]
        ranked += [
            (i, label, mine[j]) for i, j in enumerate(rng.permutation(len(mine)))
        ]
    ranked.sort(key=lambda t: t[:2])
    return sorted((d for _, _, d in ranked[:count]), key=lambda d: d.index)


def hands(digits: list, seed: int) -> dict[int, tuple[float, float, float, float]]:
    """How each digit is written: height, brush, and where (two shares of the room).

    Heights 150-230 units; the brush is the canvas' 18, or 10-28 for 30% of them.
    """
    import numpy as np

    rng = np.random.default_rng([seed, 1])
    out = {}
    for digit in digits:
        height = float(rng.uniform(150, 230))
        brush = 18.0 if rng.random() < 0.7 else float(rng.uniform(10, 28))
        out[digit.index] = (height, brush, float(rng.random()), float(rng.random()))
    return out


def verdicts(marks: list[str]) -> dict[str, bool]:
    """Outcomes of a reading from its marks' verdict kinds."""
    return {
        "split": len(marks) > 1,
        "sure": bool(marks) and all(k == "digit" for k in marks),
        "not a digit": "not a digit" in marks,
    }


def placed(digit, hand: tuple[float, float, float, float], width: float):
    """The digit's drawing as ``hand`` writes it on a canvas ``width`` units wide."""
    from nnpad.core.ink.strokes import CANVAS_SIZE

    height, brush, ux, uy = hand
    x0, y0, x1, y1 = digit.drawing(height, brush=brush, centre=(0, 0)).ink_bounds()
    margin = 4.0
    left, right = margin - x0, width - margin - x1
    top, bottom = margin - y0, CANVAS_SIZE - margin - y1
    cx = left + ux * (right - left) if left < right else width / 2
    cy = top + uy * (bottom - top) if top < bottom else CANVAS_SIZE / 2
    return digit.drawing(height, brush=brush, centre=(cx, cy))


def canvas_digits(ctx, digits: list) -> dict:
    """Part 1: single digits written on the window's canvas."""
    from nnpad.core.reading.preprocess import drawing_to_mnist
    from nnpad.core.reading.recognition import recognize_image
    from nnpad.ui.drawing.canvas import CANVAS_WIDTH
    from tests.support.canvas_window import write

    total, per_label, cases = Tally(), defaultdict(Tally), []
    for digit in digits:
        height, brush, _, _ = hand = ctx.hands[digit.index]
        drawing = placed(digit, hand, CANVAS_WIDTH)
        recognition = write(ctx.window, drawing, brush=brush)
        marks = (
            [] if recognition is None else [m.verdict.kind for m in recognition.digits]
        )
        read = "" if recognition is None else recognition.number
        whole = drawing_to_mnist(ctx.window.canvas.drawing())
        # The whole drawing read as one piece: its top digit, and its verdict ("?"
        # if no digit).
        as_one = recognize_image(ctx.model, whole)
        alone = None if as_one is None else as_one.digits[0].digit
        outcome = {
            "right": read == str(digit.label),
            "one piece right": alone == digit.label,
            "one piece read": as_one is not None and as_one.number == str(digit.label),
            **verdicts(marks),
        }
        outcome["sure and right"] = outcome["sure"] and outcome["right"]
        for tally in (total, per_label[digit.label]):
            tally.add(**outcome)
        if not outcome["right"]:
            cases.append(
                {
                    "index": digit.index,
                    "label": digit.label,
                    "read": read,
                    "text": "" if recognition is None else recognition.text,
                    "one piece": alone,
                    "mnist picture": ctx.original(digit.index),
                    "height": round(height),
                    "brush": round(brush, 1),
                    **{k: outcome[k] for k in ("split", "sure")},
                }
            )
    # The window's own losses first (one piece reads them right), then sure mistakes.
    cases.sort(key=lambda c: (c["one piece"] != c["label"], not c["sure"], -c["split"]))
    names = [
        "right",
        "one piece right",
        "one piece read",
        "split",
        "sure",
        "not a digit",
    ]
    among = {"right of sure": "sure and right/sure"}
    result = {
        "all": total.figures(names, **among),
        "per digit": {
            str(label): per_label[label].figures(names, **among) for label in range(10)
        },
        "wrong": len(cases),
        "worst": cases[: ctx.args.worst],
    }
    print(f"\n1. {total.n} single digits written on the window's canvas")
    columns = [*names, "right of sure"]
    table("digit", columns, {"all": result["all"], **result["per digit"]})
    if ctx.args.data is not None:
        result["wrong, mnist picture right"] = sum(
            c["mnist picture"] == c["label"] for c in cases
        )
        print(
            f"of the {len(cases)} read wrong, {result['wrong, mnist picture right']} "
            "are read right from the MNIST picture they were traced from"
        )
    print(f"worst cases ({len(cases)} wrong; first {len(result['worst'])}):")
    for c in result["worst"]:
        split = ", split" if c["split"] else ""
        mnist = (
            ""
            if c["mnist picture"] is None
            else f"; MNIST picture {c['mnist picture']}"
        )
        print(
            f"  #{c['index']} a {c['label']}: read {c['read'] or '-'!r} "
            f"({c['text']}); one piece reads {c['one piece']}{mnist}; "
            f"{c['height']} high, brush {c['brush']:g}{split}"
        )
    return result


class Originals:
    """The MNIST pictures the strokes were traced from, read by the network."""

    def __init__(self, path: Path, network) -> None:
        from nnpad.core.data import load_file

        self.images = load_file(path).x_train
        self.network = network

    def read(self, index: int) -> int | None:
        """The digit the network reads from picture ``index`` (None: not there)."""
        if not 0 <= index < len(self.images):
            return None
        image = self.images[index : index + 1].astype("float32") / 255.0
        return int(self.network.predict(image)[0].argmax())


def pictures(ctx, digits: list, rng) -> dict:
    """Part 2: the same digits as picture files through ``nnpad predict``."""
    from nnpad.core.ink.strokes import CANVAS_SIZE, render
    from nnpad.core.reading.preprocess import to_mnist
    from nnpad.core.reading.recognition import recognize_image
    from tests.support.numbers import on_paper
    from tests.support.predict_files import predict

    centre = (CANVAS_SIZE / 2, CANVAS_SIZE / 2)
    drawings = []
    for digit in digits:
        height, brush, _, _ = ctx.hands[digit.index]
        drawings.append(digit.drawing(height, brush=brush, centre=centre))
    names = ["right", "one piece right", "one piece read", "split", "sure"]
    names.append("not a digit")
    among = {"right of sure": "sure and right/sure"}
    rows: dict[str, dict] = {}
    overall = Tally()
    for size in ctx.args.sizes:
        bitmaps = [render(d, size) for d in drawings]
        for style in STYLES:
            if style == "white on black":
                shots = bitmaps
            elif style == "dark on light":
                shots = [255 - b for b in bitmaps]
            else:
                shots = [on_paper(b, rng) for b in bitmaps]
            tally = Tally()
            records = predict(shots, ctx.args.model)
            for digit, shot, record in zip(digits, shots, records, strict=True):
                whole = to_mnist(shot)
                marks = [m["verdict"] for m in record.get("digits", [])]
                as_one = recognize_image(ctx.model, whole)
                outcome = {
                    "right": record.get("number") == str(digit.label),
                    "one piece right": as_one is not None
                    and as_one.digits[0].digit == digit.label,
                    "one piece read": as_one is not None
                    and as_one.number == str(digit.label),
                    **verdicts(marks),
                }
                outcome["sure and right"] = outcome["sure"] and outcome["right"]
                tally.add(**outcome)
                overall.add(**outcome)
            rows[f"{size:>3} px {style}"] = tally.figures(names, **among)
    rows["all"] = overall.figures(names, **among)
    print(f"\n2. the same {len(digits)} digits as pictures through nnpad predict")
    table("picture", [*names, *among], rows)
    return rows


def numbers(ctx, pool: list, rng) -> dict:
    """Part 3: numbers of 2-6 real digits, on the canvas and through predict."""
    from nnpad.ui.drawing.canvas import CANVAS_WIDTH
    from tests.support.canvas_window import write
    from tests.support.numbers import fitted, picture
    from tests.support.predict_files import predict
    from tests.support.real_strokes import real_number

    tallies = {"canvas": defaultdict(Tally), "predict": defaultdict(Tally)}
    cases: dict[str, list] = {"canvas": [], "predict": []}
    for length in range(2, 7):
        shots, made = [], []
        for k in range(ctx.args.numbers):
            chosen = [pool[int(i)] for i in rng.integers(0, len(pool), size=length)]
            number = real_number(chosen, rng)
            drawing = fitted(number, CANVAS_WIDTH)
            recognition = write(ctx.window, drawing, brush=drawing.strokes[0].width)
            read = "" if recognition is None else recognition.number
            text = "" if recognition is None else recognition.text
            note(tallies["canvas"], cases["canvas"], number, chosen, read, text)
            shots.append(picture(number, k, rng))
            made.append((number, chosen))
        records = predict(shots, ctx.args.model)
        for k, ((number, chosen), record) in enumerate(zip(made, records, strict=True)):
            read, text = record.get("number", ""), record.get("text", "")
            kind = NUMBER_PICTURES[k % 2]
            note(tallies["predict"], cases["predict"], number, chosen, read, text, kind)
    result = {}
    print(f"\n3. numbers of real digits, {ctx.args.numbers} per length")
    for path, by_length in tallies.items():
        rows = {
            f"{n} digits": by_length[n].figures(["count right", "exact"])
            for n in range(2, 7)
        }
        rows["2-6 digits"] = by_length["all"].figures(["count right", "exact"])
        for kind in NUMBER_PICTURES:
            if kind in by_length:
                rows[kind] = by_length[kind].figures(["count right", "exact"])
        table(path, ["count right", "exact"], rows)
        # Digits lost or found too many first, then digits misread; longer first.
        cases[path].sort(
            key=lambda c: (len(c["read"]) == len(c["number"]), -len(c["number"]))
        )
        worst = cases[path][: ctx.args.worst]
        print(f"  {path} mistakes ({len(cases[path])}; first {len(worst)}):")
        for c in worst:
            print(
                f"    {c['number']} read {c['read'] or '-'!r} ({c['text']}); "
                f"gaps {','.join(c['gaps'])}; "
                f"digits {' '.join(f'#{i}' for i in c['indices'])}"
            )
        result[path] = {**rows, "wrong": len(cases[path]), "worst": worst}
    return result


def note(
    tallies, cases: list, number, chosen: list, read: str, text: str, kind: str = ""
) -> None:
    """Count one number's reading, and keep it when it is wrong."""
    length = len(number.digits)
    outcome = {"count right": len(read) == length, "exact": read == number.text}
    for key in (length, "all", kind):
        if key:
            tallies[key].add(**outcome)
    if not outcome["exact"]:
        cases.append(
            {
                "number": number.text,
                "read": read,
                "text": text,
                "gaps": list(number.spacings),
                "indices": [d.index for d in chosen],
            }
        )


def nondigits(ctx, rng) -> dict:
    """Part 4: non-digit drawings written on the canvas."""
    from nnpad.core.ink.strokes import Drawing, Stroke
    from nnpad.core.training import nondigits as generator
    from nnpad.ui.drawing.canvas import CANVAS_WIDTH
    from tests.support.canvas_window import write

    items = generator.nondigit_drawings(ctx.args.nondigits, generator.TEST_SEED)
    total, per_family = Tally(), defaultdict(Tally)
    sure_kinds, kinds = defaultdict(int), defaultdict(int)
    for item in items:
        dx = float(rng.uniform(0, CANVAS_WIDTH - 280.0))
        drawing = Drawing(
            tuple(
                Stroke(tuple((x + dx, y) for x, y in s.points), s.width, s.erase)
                for s in item.drawing.strokes
            )
        )
        recognition = write(ctx.window, drawing, brush=item.drawing.strokes[0].width)
        marks = (
            [] if recognition is None else [m.verdict.kind for m in recognition.digits]
        )
        outcome = verdicts(marks)
        outcome["flagged"] = bool(marks) and not outcome["sure"]
        outcome["held out"] = item.kind in generator.HELD_OUT_KINDS
        outcome["held out flagged"] = outcome["held out"] and outcome["flagged"]
        for tally in (total, per_family[item.family]):
            tally.add(**outcome)
        sure_kinds[item.kind] += outcome["sure"]
        kinds[item.kind] += 1
    names = ["flagged", "not a digit", "sure", "split"]
    rows = {
        "all": total.figures(
            names, **{"held-out kinds flagged": "held out flagged/held out"}
        )
    }
    rows.update({f: per_family[f].figures(names) for f in sorted(per_family)})
    print(f"\n4. {total.n} non-digit drawings written on the canvas")
    table("non-digits", [*names, "held-out kinds flagged"], rows)
    often = sorted(((n, k) for k, n in sure_kinds.items() if n), reverse=True)
    shown = ", ".join(f"{k} {n}/{kinds[k]}" for n, k in often[:10]) or "none"
    print(f"  kinds read as a sure digit (of those drawn): {shown}")
    return {**rows, "read as sure": {k: [n, kinds[k]] for n, k in often}}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    from types import SimpleNamespace

    import numpy as np

    from tests.support.canvas_window import open_window
    from tests.support.real_strokes import halves, load

    everything = load(args.strokes)
    tune, report = halves(everything)
    pool = {"report": report, "tune": tune, "all": everything}[args.half]
    digits = pick(pool, args.count, args.seed)
    window = open_window(args.model)
    ctx = SimpleNamespace(
        args=args,
        window=window,
        network=window.session.model.network,
        model=window.session.model,
        hands=hands(digits, args.seed),
    )
    ctx.original = (
        Originals(args.data, ctx.network).read if args.data else lambda index: None
    )
    print(
        f"{len(digits)} real digits of the {args.half} half of {args.strokes} "
        f"({len(pool)} there); model {args.model or 'shipped'}; seed {args.seed}"
    )
    figures: dict = {
        "strokes": Path(args.strokes).name,
        "half": args.half,
        "digits": len(digits),
        "seed": args.seed,
        "model": str(args.model or "shipped"),
        "unit": "percent",
    }
    seconds = {}
    steps = {
        "canvas": lambda rng: canvas_digits(ctx, digits),
        "pictures": lambda rng: pictures(ctx, digits, rng),
        "numbers": lambda rng: numbers(ctx, pool, rng),
        "nondigits": lambda rng: nondigits(ctx, rng),
    }
    for i, part in enumerate(PARTS, 1):
        if part in args.parts:
            start = time.perf_counter()
            figures[part] = steps[part](np.random.default_rng([args.seed, 1 + i]))
            seconds[part] = round(time.perf_counter() - start, 1)
    if "canvas" in figures:
        honest = figures["canvas"]["all"]
        print(
            f"\nhonest answers on the canvas digits: sure {honest['sure']:.1f}%, "
            f"right of sure {honest['right of sure']:.1f}%, "
            f"not a digit {honest['not a digit']:.1f}%"
        )
    seconds["total"] = round(time.perf_counter() - started, 1)
    figures["seconds"] = seconds
    print("seconds: " + ", ".join(f"{k} {v:g}" for k, v in seconds.items()))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
        print(f"figures written to {args.json}")
    window.close()


if __name__ == "__main__":
    main()
