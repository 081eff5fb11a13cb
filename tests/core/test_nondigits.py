"""The non-digit generator: deterministic, every family, valid MNIST images."""

from __future__ import annotations

import numpy as np
import pytest

from nnpad.core.ink.strokes import CANVAS_SIZE
from nnpad.core.training import nondigits


def test_the_same_seed_gives_the_same_drawings_and_a_longer_list_extends_it() -> None:
    a = nondigits.nondigit_drawings(30, seed=5)
    b = nondigits.nondigit_drawings(30, seed=5)
    c = nondigits.nondigit_drawings(10, seed=5)
    assert a == b
    assert a[:10] == c
    assert nondigits.nondigit_drawings(10, seed=5, start=10) == a[10:20]


def test_different_seeds_give_different_drawings() -> None:
    a = nondigits.nondigit_drawings(20, seed=1)
    b = nondigits.nondigit_drawings(20, seed=2)
    assert all(x.drawing != y.drawing for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("family", nondigits.FAMILIES)
def test_each_family_draws_only_its_kinds_on_the_canvas(family: str) -> None:
    items = nondigits.nondigit_drawings(40, seed=3, families=[family])
    assert {it.family for it in items} == {family}
    assert {it.kind for it in items} <= set(nondigits.KINDS[family])
    assert len({it.kind for it in items}) > 1
    for it in items:
        x0, y0, x1, y1 = it.drawing.ink_bounds()
        assert -20 < x0 < x1 < CANVAS_SIZE + 20
        assert -20 < y0 < y1 < CANVAS_SIZE + 20
        assert all(10 <= s.width <= 30 for s in it.drawing.strokes)


def test_every_kind_of_every_family_turns_up() -> None:
    items = nondigits.nondigit_drawings(1200, seed=0)
    seen = {(it.family, it.kind) for it in items}
    expected = {(f, k) for f, kinds in nondigits.KINDS.items() for k in kinds}
    assert seen == expected


def test_training_split_never_holds_a_held_out_kind_and_held_out_only_those() -> None:
    train = nondigits.nondigit_drawings(500, seed=0, split="train")
    held = nondigits.nondigit_drawings(100, seed=0, split="held_out")
    assert not {it.kind for it in train} & nondigits.HELD_OUT_KINDS
    assert {it.kind for it in held} <= nondigits.HELD_OUT_KINDS
    # Every family keeps kinds to train on, and has some it is tested on alone.
    for kinds in nondigits.KINDS.values():
        assert set(kinds) - nondigits.HELD_OUT_KINDS
        assert set(kinds) & nondigits.HELD_OUT_KINDS


def test_letters_that_look_like_digits_are_never_drawn() -> None:
    digit_like = set("OoDQIlijJZzSsBGbgqPaehty")
    assert not digit_like & set(nondigits.KINDS["letter"])


def test_images_are_valid_mnist_and_nearly_all_have_ink() -> None:
    images = nondigits.nondigit_images(60, seed=11)
    assert images.shape == (60, 28, 28)
    assert images.dtype == np.uint8
    assert (images.reshape(60, -1).max(axis=1) == 255).all()
    # Ink inside the 20x20 box, like MNIST: the outer two pixels stay blank.
    mass = images.astype(float).sum(axis=(1, 2))
    assert (mass > 255 * 3).mean() > 0.95
    np.testing.assert_array_equal(images, nondigits.nondigit_images(60, seed=11))


def test_training_images_differ_from_the_report_seed_but_for_lone_dots() -> None:
    a, a_items = nondigits.render_nondigits(
        nondigits.nondigit_drawings(100, seed=0, split="train")
    )
    b, b_items = nondigits.render_nondigits(
        nondigits.nondigit_drawings(100, seed=nondigits.TEST_SEED)
    )
    same = [
        (x.kind, y.kind)
        for i, x in zip(a, a_items, strict=True)
        for j, y in zip(b, b_items, strict=True)
        if (i == j).all()
    ]
    # A tap of the pen is the same disc whoever draws it.
    assert all(pair == ("dot", "dot") for pair in same)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="families"):
        nondigits.nondigit_drawings(3, seed=0, families=["digits"])
    with pytest.raises(ValueError, match="split"):
        nondigits.nondigit_drawings(3, seed=0, split="test")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n must be"):
        nondigits.nondigit_drawings(-1, seed=0)
