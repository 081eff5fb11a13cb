"""Splitting marks that may hold several digits, the same for drawings and pictures.

A split is tried only where the mark's shape gives a reason for it (a waist of
thin ink, or a width beyond a digit's), and kept only when the network reads its
two pieces better than the whole. Sizes are fractions of the line height ``H``;
confidences are log-odds (of the digit read against all others).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

from nnpad.core.reading.segment.common import Classify, log_odds

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Mapping, Sequence

    from nnpad.core.reading.segment.pair_reader import PairReader, PairReading

G = TypeVar("G")

# Without a classifier, only parts standing apart, or groups wider than WIDE (real
# digits alone are rarely so wide) through a single stroke (a waist of at most
# UNREAD_WAIST pens; a wide 0 is crossed twice), are split.
WIDE = 1.4
UNREAD_WAIST = 1.5
# A split needs a reason of shape. Its cut must pass through a waist: the ink
# joining its sides, in pen widths (a stroke crossed square on is one; a 0 cut in
# half is crossed twice; sides of whole strokes or components share none), may be
# at most WAIST, plus WAIST_SLOPE for each H the mark is wider than DIGIT_WIDTH
# (most digits are narrower). And unless the mark is wider than DIGIT_WIDTH +
# BEYOND, its sides must stand side by side as two digits do: both at least
# LINE_SIDE * H tall, their tops and their bottoms within LINE_ALIGN * H of each
# other (the bar of a 4 cut from its stem does not).
WAIST = 1.2
WAIST_SLOPE = 20.0
DIGIT_WIDTH = 0.9
BEYOND = 0.2
LINE_SIDE = 0.7
LINE_ALIGN = 0.35
# Whole parts that stand side by side as two digits, barely overlapping in x,
# need STANDING log-odds less: the strokes of two digits that touch are one mark,
# which would otherwise be split less readily than two marks.
STANDING = 6.0
# With a classifier, a split is kept when its pieces' score (a blend of their mean
# and their weaker log-odds: both pieces must read as digits) beats the whole's
# log-odds by MARGIN, a margin that falls by MARGIN_SLOPE per H of width beyond
# MARGIN_WIDTH (wide groups are rarely one digit). Log-odds rather than
# probabilities: the network is near-certain of most things, pieces of digits
# included, and log-odds still rank those.
MARGIN = 6.0
MARGIN_SLOPE = 10.0
MARGIN_WIDTH = 0.8
MEAN_WEIGHT = 0.5
# However wide the group, the pieces' score must reach READ_FLOOR, and each piece
# PIECE_FLOOR: both must read as digits (a wide digit alone reads poorly whole, and
# its pieces no better; a flat 2 cut in two reads "?2").
READ_FLOOR = 0.0
PIECE_FLOOR = -0.5
# A group whose log-odds plus the margin reach SURE is kept without trying any
# split: no split of the tuning sets scored that high against such a whole.
SURE = 16.0
# Pieces overlapping in x are less likely two digits: each unit of overlap (of the
# narrower one's width) costs OVERLAP_SLOPE log-odds, and OVERLAP_COST more beyond
# OVERLAP_FREE.
OVERLAP_SLOPE = 1.0
OVERLAP_COST = 10.0
OVERLAP_FREE = 0.35
# Groups of up to this many parts are tried at every two-way partition.
MAX_PARTITION = 4
MAX_DEPTH = 6
# With a pair reader (`nnpad.core.reading.segment.pair_reader`): a mark it reads
# as two digits with at least PAIR_TWO is split at its best cut whatever its
# shape and the digit network's margin, and one it reads as two with less than
# PAIR_ONE is kept whole; in between, the rules above decide. Among the cuts, the
# pair the reader sees in the pieces' digits adds PAIR_AGREE times its
# log-probability (at least PAIR_FLOOR) to the cut's score, and a side it reads as
# two with PAIR_TWO passes PIECE_FLOOR (three digits that touch; see
# `Splitter.pairs_as_pieces`). Set on the tuning sets: PAIR_TWO at 0.5 split
# single MNIST pictures of 0s and 4s; anything from 0.98 to 0.999, and PAIR_ONE
# from 0.02 to 0.3, read the same.
PAIR_TWO = 0.98
PAIR_ONE = 0.1
PAIR_AGREE = 1.0
PAIR_FLOOR = 1e-4


def overlap_cost(frac: float) -> float:
    """Log-odds price of reading two pieces that overlap in x as two digits."""
    return OVERLAP_SLOPE * frac + OVERLAP_COST * max(frac - OVERLAP_FREE, 0.0)


@dataclass(frozen=True, eq=False)
class Split(Generic[G]):
    """A way to cut a group in two: its sides, left first."""

    left: G
    right: G
    # x overlap of the sides (in the narrower one's width) when they are sets of
    # whole parts; None for a cut through ink.
    overlap: float | None = None
    # The ink joining the sides, in pen widths (0: they do not touch).
    seam: float = 0.0

    @property
    def cost(self) -> float:
        """What the geometry says against the split, in log-odds."""
        return 0.0 if self.overlap is None else overlap_cost(self.overlap)

    @property
    def apart(self) -> bool:
        """Whether the sides are whole parts that barely overlap in x."""
        return self.overlap is not None and self.overlap <= OVERLAP_FREE


class Splitter(Generic[G]):
    """Recursive splitting of groups, the same for drawings and pictures.

    Subclasses say what a group's key, box and image are and how it could be
    split; they cache images so that the final pieces reuse the tried ones. Each
    group is read (its log-odds) once, with the others of its batch.
    """

    def __init__(
        self,
        height: float,
        classify: Classify | None,
        pairs: PairReader | None = None,
    ) -> None:
        self.height = height
        self.classify = classify
        self.pairs = pairs if classify is not None else None
        self.odds: dict[Hashable, float] = {}
        self.digits: dict[Hashable, int] = {}
        self.pair_readings: dict[Hashable, PairReading | None] = {}

    def key(self, group: G) -> Hashable:
        """What names the group's ink, for the caches."""
        raise NotImplementedError  # pragma: no cover

    def box(self, group: G) -> np.ndarray:
        """``(x0, y0, x1, y1)`` of the group's ink."""
        raise NotImplementedError  # pragma: no cover

    def image(self, group: G) -> np.ndarray | None:
        """The group's MNIST-layout image (None without ink)."""
        raise NotImplementedError  # pragma: no cover

    def candidates(self, group: G) -> list[Split[G]]:
        """Splits worth trying (both sides digit-tall)."""
        raise NotImplementedError  # pragma: no cover

    def mark(self, group: G) -> np.ndarray | None:
        """The group's image for the pair reader (`pair_reader.mark_image`)."""
        raise NotImplementedError  # pragma: no cover

    def pair_reading(self, group: G) -> PairReading | None:
        """What the pair reader makes of the group; None without one."""
        if self.pairs is None:
            return None
        self.read_pairs([group])
        return self.pair_readings[self.key(group)]

    def read_pairs(self, groups: Sequence[G]) -> None:
        """The pair reader's readings of the groups not read yet, in one batch."""
        if self.pairs is None:
            return
        todo, blank = self.unread(groups, self.pair_readings, self.mark)
        self.pair_readings.update(dict.fromkeys(blank))
        readings = self.pairs.read(list(todo.values()))
        self.pair_readings.update(zip(todo, readings, strict=True))

    def width(self, group: G) -> float:
        """The group's width in line heights."""
        box = self.box(group)
        return float(box[2] - box[0]) / self.height

    def shaped(self, group: G, split: Split[G]) -> bool:
        """Whether the group's shape gives a reason to split it there.

        A waist of thin ink, and sides that stand as two digits do unless the
        group is well beyond a digit's width (see WAIST and LINE_SIDE).
        """
        extra = max(0.0, self.width(group) - DIGIT_WIDTH)
        if split.seam > WAIST + WAIST_SLOPE * extra:
            return False
        return extra >= BEYOND or self.side_by_side(split)

    def side_by_side(self, split: Split[G]) -> bool:
        """Whether the sides are both digit-tall and on one line."""
        a, b = self.box(split.left), self.box(split.right)
        tall = min(a[3] - a[1], b[3] - b[1]) >= LINE_SIDE * self.height
        level = max(abs(a[1] - b[1]), abs(a[3] - b[3])) <= LINE_ALIGN * self.height
        return bool(tall and level)

    def unread(
        self,
        groups: Sequence[G],
        done: Mapping[Hashable, object],
        image_of: Callable[[G], np.ndarray | None],
    ) -> tuple[dict[Hashable, np.ndarray], list[Hashable]]:
        """The groups not in ``done``, each once: their images, and those without."""
        todo: dict[Hashable, np.ndarray] = {}
        blank: list[Hashable] = []
        for group in groups:
            key = self.key(group)
            if key in done or key in todo or key in blank:
                continue
            image = image_of(group)
            if image is None:
                blank.append(key)
            else:
                todo[key] = image
        return todo, blank

    def read(self, groups: Sequence[G]) -> None:
        """Log-odds of the groups not read yet, in one call of the classifier."""
        todo, blank = self.unread(groups, self.odds, self.image)
        self.odds.update(dict.fromkeys(blank, -math.inf))
        if todo and self.classify is not None:
            probs = self.classify(np.stack(list(todo.values())))
            odds = log_odds(probs)
            self.odds.update(zip(todo, (float(v) for v in odds), strict=True))
            tops = np.argmax(probs, axis=1)
            self.digits.update(zip(todo, (int(v) for v in tops), strict=True))

    def digit(self, group: G) -> int:
        """The digit the network reads in a group already read (0 without ink)."""
        return self.digits.get(self.key(group), 0)

    def split_all(self, groups: Sequence[G]) -> list[G]:
        """Every group as one or more digit groups (the wholes read in one batch)."""
        if self.classify is not None:
            self.read(groups)
            self.read_pairs(groups)
        return [piece for group in groups for piece in self.split(group)]

    def split(self, group: G, depth: int = 0) -> list[G]:
        """The group as one or more digit groups, left to right."""
        if depth >= MAX_DEPTH:
            return [group]
        reading = self.pair_reading(group)
        if reading is not None and reading.two >= PAIR_TWO:
            best = self.best(group, self.candidates(group), reading)
        elif reading is not None and reading.two < PAIR_ONE:
            return [group]
        else:
            if self.sure(group):
                return [group]
            candidates = [c for c in self.candidates(group) if self.shaped(group, c)]
            if not candidates:
                return [group]
            best = self.best(group, candidates)
        if best is None:
            return [group]
        return self.split(best.left, depth + 1) + self.split(best.right, depth + 1)

    def pairs_as_pieces(
        self, candidates: list[Split[G]], sides: np.ndarray
    ) -> np.ndarray:
        """``sides`` with a side the pair reader reads as two digits let through.

        Three digits that touch are one mark the reader reads as two, and every
        cut of it leaves two digits on one side, which the digit network reads
        poorly. Such a side passes PIECE_FLOOR when the reader reads it as two
        (with PAIR_TWO), and is split in its turn.
        """
        weak = [
            (row, col, side)
            for row, c in enumerate(candidates)
            for col, side in enumerate((c.left, c.right))
            if sides[row, col] < PIECE_FLOOR and self.width(side) > DIGIT_WIDTH
        ]
        if not weak:
            return sides
        self.read_pairs([side for _, _, side in weak])  # in one batch
        out = sides.copy()
        for row, col, side in weak:
            reading = self.pair_reading(side)
            if reading is not None and reading.two >= PAIR_TWO:
                out[row, col] = PIECE_FLOOR
        return out

    def bonus(self, split: Split[G]) -> float:
        """What the shape says for the split: whole parts standing as two digits."""
        return STANDING if split.apart and self.side_by_side(split) else 0.0

    def margin(self, group: G) -> float:
        """What a split's score must beat the whole's log-odds by."""
        return MARGIN - MARGIN_SLOPE * max(0.0, self.width(group) - MARGIN_WIDTH)

    def sure(self, group: G) -> bool:
        """Whether the group reads so well as one digit that no split would win."""
        if self.classify is None:
            return False
        self.read([group])
        return self.odds[self.key(group)] + self.margin(group) >= SURE

    def best(
        self,
        group: G,
        candidates: list[Split[G]],
        pair: PairReading | None = None,
    ) -> Split[G] | None:
        """The split to make, or None to keep the group whole.

        With a ``pair`` reading that says two digits, the best-scored split
        whose pieces read as digits, whatever the whole reads.

        With a classifier, the best-read split if it beats the whole (see the
        margin above). Without, the split whose sides overlap least among those
        of parts standing apart, or of a group wider than WIDE through a single
        stroke.
        """
        if self.classify is None:
            apart = [c for c in candidates if c.apart]
            if not apart and self.width(group) > WIDE:
                apart = [c for c in candidates if c.seam <= UNREAD_WAIST]
            return min(apart, key=lambda c: c.cost, default=None)
        if not candidates:
            return None
        self.read([side for c in candidates for side in (c.left, c.right)])
        odds = self.odds
        sides = np.array(
            [[odds[self.key(c.left)], odds[self.key(c.right)]] for c in candidates]
        )
        scores = (
            MEAN_WEIGHT * sides.mean(axis=1)
            + (1.0 - MEAN_WEIGHT) * sides.min(axis=1)
            - np.array([c.cost - self.bonus(c) for c in candidates])
        )
        if pair is not None:
            agree = [
                pair.pair[self.digit(c.left), self.digit(c.right)] for c in candidates
            ]
            scores += PAIR_AGREE * np.log(np.maximum(agree, PAIR_FLOOR))
            sides = self.pairs_as_pieces(candidates, sides)
        scores[sides.min(axis=1) < PIECE_FLOOR] = -math.inf
        k = int(np.argmax(scores))
        if not math.isfinite(scores[k]):
            return None
        if pair is not None:
            return candidates[k]
        whole = self.odds[self.key(group)]
        needed = max(whole + self.margin(group), READ_FLOOR)
        return candidates[k] if scores[k] > needed else None
