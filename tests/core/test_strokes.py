"""Stroke model and anti-aliased rendering."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnpad.core.ink.strokes import (
    CANVAS_SIZE,
    Drawing,
    Stroke,
    render,
    render_for_network,
)
from nnpad.core.reading.preprocess import drawing_to_mnist


def two(cx: float, cy: float, size: float, width: float) -> Drawing:
    """A '2' whose unit-box outline is scaled to ``size`` around ``(cx, cy)``."""
    a = np.linspace(math.radians(200), math.radians(-40), 30)
    arc = np.c_[0.5 + 0.3 * np.cos(a), 0.3 - 0.25 * np.sin(a)]
    unit = np.vstack([arc, [[0.15, 0.95], [0.85, 0.95]]])
    pts = np.c_[cx + (unit[:, 0] - 0.5) * size, cy + (unit[:, 1] - 0.5) * size]
    return Drawing((Stroke(pts, width),))


def centre_of_mass(a: np.ndarray) -> tuple[float, float]:
    """(y, x) in pixel-corner coordinates."""
    a = a.astype(np.float64)
    y, x = np.indices(a.shape) + 0.5
    return float((a * y).sum() / a.sum()), float((a * x).sum() / a.sum())


def ink_box(a: np.ndarray, level: float = 0) -> tuple[int, int]:
    """(height, width) of the bounding box of pixels above ``level``."""
    ys, xs = np.nonzero(a > level)
    return int(ys.max() - ys.min() + 1), int(xs.max() - xs.min() + 1)


# -- model -----------------------------------------------------------------------


def test_stroke_normalises_points_and_is_hashable() -> None:
    s = Stroke([[1, 2], np.array([3.5, 4])], 5)
    assert s.points == ((1.0, 2.0), (3.5, 4.0))
    assert all(isinstance(v, float) for p in s.points for v in p)
    assert isinstance(s.width, float)
    assert s == Stroke(((1.0, 2.0), (3.5, 4.0)), 5.0)
    assert hash(s) == hash(Stroke(((1.0, 2.0), (3.5, 4.0)), 5.0))
    assert Stroke((), 3).points == ()
    assert Stroke(((x, 2 * x) for x in range(2)), 3).points == ((0, 0), (1, 2))


@pytest.mark.parametrize(
    ("points", "width"),
    [
        ([(1, 2, 3)], 5),
        ([(1, 2), (3,)], 5),
        ("ab", 5),
        ([("x", 1)], 5),
        (None, 5),
        ([(1, 2)], float("nan")),
        ([(1, 2)], float("inf")),
        ([(1, 2)], -1),
        ([(1, 2)], "wide"),
    ],
)
def test_stroke_rejects_malformed_arguments(points: object, width: object) -> None:
    with pytest.raises(ValueError, match="stroke"):
        Stroke(points, width)  # type: ignore[arg-type]


def test_drawing_is_immutable_and_validated() -> None:
    empty = Drawing()
    s = Stroke(((10, 10),), 4)
    one = empty.with_stroke(s)
    assert empty.strokes == ()
    assert one.strokes == (s,)
    assert Drawing([s]).strokes == (s,)
    with pytest.raises(ValueError):
        Drawing(("not a stroke",))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Drawing(s)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        empty.with_stroke(((1, 2),))  # type: ignore[arg-type]


def test_is_empty_ignores_erasers_and_non_finite_points() -> None:
    nan = float("nan")
    assert Drawing().is_empty
    assert Drawing((Stroke(((10, 10), (50, 50)), 8, erase=True),)).is_empty
    assert Drawing((Stroke(((nan, 1), (2, float("inf"))), 8),)).is_empty
    assert Drawing((Stroke((), 8),)).is_empty
    assert not Drawing((Stroke(((nan, 1), (5, 5)), 8),)).is_empty


def test_ink_bounds() -> None:
    nan = float("nan")
    d = Drawing(
        (
            Stroke(((10, 20), (30, 5), (nan, 500)), 4),
            Stroke(((100, 100),), 10),
            Stroke(((-50, 300),), 40, erase=True),
        )
    )
    assert d.ink_bounds() == (8.0, 3.0, 105.0, 105.0)
    assert Drawing().ink_bounds() is None
    assert Drawing((Stroke(((1, 1),), 2, erase=True),)).ink_bounds() is None


# -- render ----------------------------------------------------------------------


def test_render_empty_is_black() -> None:
    out = render(Drawing(), 64)
    assert out.shape == (64, 64)
    assert out.dtype == np.uint8
    assert not out.any()


def test_single_point_is_a_round_centred_dot() -> None:
    out = render(Drawing((Stroke(((140, 140),), 40),)))
    cy, cx = centre_of_mass(out)
    assert cy == pytest.approx(140, abs=0.1)
    assert cx == pytest.approx(140, abs=0.1)
    assert out.sum() / 255 == pytest.approx(math.pi * 20**2, rel=0.03)
    h, w = ink_box(out, 127)
    assert h == w == pytest.approx(40, abs=1)


def test_render_scales_with_size_not_pixels() -> None:
    d = two(140, 140, 150, 12)
    big = render(d, 280).astype(np.float64)
    small = render(d, 70).astype(np.float64)
    # Box-averaging the big rendering by 4 gives (nearly) the small one.
    pooled = big.reshape(70, 4, 70, 4).mean(axis=(1, 3))
    assert np.abs(pooled - small).mean() < 2.0
    assert np.corrcoef(pooled.ravel(), small.ravel())[0, 1] > 0.99


def test_antialiasing_produces_intermediate_greys() -> None:
    d = Drawing((Stroke(((20, 30), (250, 200)), 6),))
    smooth = render(d, 112)
    greys = (smooth > 0) & (smooth < 255)
    assert np.count_nonzero(greys) > 50
    assert len(np.unique(smooth)) > 10
    hard = render(d, 112, supersample=1)
    assert set(np.unique(hard).tolist()) <= {0, 255}


def test_round_joins_leave_no_gaps() -> None:
    # A sharp zig-zag: square line ends would leave notches at the outer corners.
    pts = [(40, 240), (80, 40), (120, 240), (160, 40), (200, 240)]
    out = render(Drawing((Stroke(pts, 20),)), 280)
    for x, y in pts:
        # Every pixel within the pen radius of a vertex is inked.
        yy, xx = np.mgrid[0:280, 0:280] + 0.5
        disc = (xx - x) ** 2 + (yy - y) ** 2 <= 8.5**2
        assert out[disc].min() > 200


def test_eraser_paints_background_in_order() -> None:
    ink = Stroke(((20, 140), (260, 140)), 20)
    eraser = Stroke(((140, 100), (140, 180)), 40, erase=True)
    erased = render(Drawing((ink, eraser)))
    assert erased[140, 140] == 0
    assert erased[140, 40] == 255
    reinked = render(Drawing((ink, eraser, Stroke(((140, 140),), 10))))
    assert reinked[140, 140] == 255


@pytest.mark.parametrize(
    "points",
    [
        ((1e300, -1e300), (5, 5)),
        ((-1e9, 140), (1e9, 140)),
        ((float("nan"), 3), (float("inf"), float("-inf"))),
        ((-50, -50), (-10, -60)),
    ],
)
def test_render_survives_extreme_coordinates(points: tuple) -> None:
    d = Drawing((Stroke(points, 30), Stroke(points, 1e12, erase=True)))
    for size in (1, 28, 280):
        out = render(d, size)
        assert out.shape == (size, size)
    net = render_for_network(Drawing((Stroke(points, 30),)))
    assert net is None or net.shape == (112, 112)


def test_huge_line_across_the_canvas_is_drawn() -> None:
    out = render(Drawing((Stroke(((-1e12, 140), (1e12, 140)), 10),)))
    assert out[140, :].min() == 255


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((Drawing(), 0), {}),
        ((Drawing(), -5), {}),
        ((Drawing(), 2.5), {}),
        ((Drawing(), "big"), {}),
        ((Drawing(), True), {}),
        ((Drawing(), 280), {"supersample": 0}),
        ((Drawing(), 10000), {"supersample": 4}),
        (("drawing",), {}),
        ((None,), {}),
    ],
)
def test_render_rejects_malformed_arguments(args: tuple, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        render(*args, **kwargs)


# -- render_for_network ----------------------------------------------------------


def test_network_rendering_is_none_without_ink() -> None:
    nan = float("nan")
    assert render_for_network(Drawing()) is None
    assert render_for_network(Drawing((Stroke(((9, 9), (99, 99)), 5, True),))) is None
    assert render_for_network(Drawing((Stroke(((nan, nan),), 5),))) is None


def test_network_rendering_centres_and_zooms_the_digit() -> None:
    out = render_for_network(two(40, 230, 50, 30))
    assert out is not None
    assert out.shape == (112, 112)
    assert out.dtype == np.uint8
    h, w = ink_box(out, 127)
    # Points span 70% of the buffer; the pen (12% of that) adds about its width.
    assert max(h, w) == pytest.approx(0.7 * 112 * 1.12, abs=3)
    ys, xs = np.nonzero(out > 127)
    assert (ys.min() + ys.max() + 1) / 2 == pytest.approx(56, abs=1.5)
    assert (xs.min() + xs.max() + 1) / 2 == pytest.approx(56, abs=1.5)


def test_network_pen_width_is_proportional_to_the_digit() -> None:
    # Drawn at a third of the size with a brush five times thicker.
    small_thick = two(60, 60, 70, 30)
    large_thin = two(140, 140, 210, 6)
    a = render_for_network(small_thick)
    b = render_for_network(large_thin)
    assert a is not None and b is not None
    ink_a, ink_b = a.sum() / 255, b.sum() / 255
    assert ink_a == pytest.approx(ink_b, rel=0.03)
    assert np.corrcoef(a.ravel(), b.ravel())[0, 1] > 0.97
    # The user's brush would have made them very different (the test has teeth).
    ua, ub = render(small_thick), render(large_thin)
    ua_box, ub_box = max(ink_box(ua, 127)), max(ink_box(ub, 127))
    thickness_a = ua.sum() / 255 / ua_box**2
    thickness_b = ub.sum() / 255 / ub_box**2
    assert thickness_a > 2.5 * thickness_b


def test_network_pen_follows_width_ratio() -> None:
    d = two(140, 140, 200, 10)
    thin = render_for_network(d, width_ratio=0.05)
    thick = render_for_network(d, width_ratio=0.2)
    assert thin is not None and thick is not None
    assert thick.sum() > 2.5 * thin.sum()


def test_a_dot_still_shows() -> None:
    out = render_for_network(Drawing((Stroke(((12, 250),), 1),)))
    assert out is not None
    h, w = ink_box(out, 127)
    assert h == w and h >= 5
    cy, cx = centre_of_mass(out)
    assert (cy, cx) == pytest.approx((56, 56), abs=0.5)


def test_network_erasers_scale_with_the_drawing() -> None:
    line = Stroke(((100, 140), (180, 140)), 5)
    eraser = Stroke(((140, 120), (140, 160)), 10, erase=True)
    out = render_for_network(Drawing((line, eraser)))
    assert out is not None
    # The eraser is 1/8 of the line's length, so it cuts a gap of about 1/8 of the
    # 78 px the line spans in the buffer, however thick the network's pen.
    row = out[56]
    assert row[56] == 0
    gap = np.count_nonzero(row[30:82] < 128)
    assert gap == pytest.approx(78 / 8, abs=2.5)


def test_erased_stray_ink_does_not_shrink_the_digit() -> None:
    digit = two(140, 140, 150, 12)
    stray = Stroke(((10, 10), (30, 15)), 8)
    eraser = Stroke(((0, 12), (40, 12)), 30, erase=True)
    clean = render_for_network(digit)
    erased = render_for_network(Drawing((*digit.strokes, stray, eraser)))
    assert clean is not None and erased is not None
    assert np.corrcoef(clean.ravel(), erased.ravel())[0, 1] > 0.99


def test_network_rendering_rejects_malformed_arguments() -> None:
    d = two(140, 140, 100, 10)
    for kwargs in ({"width_ratio": 0}, {"width_ratio": float("nan")}, {"size": 0}):
        with pytest.raises(ValueError):
            render_for_network(d, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        render_for_network([])  # type: ignore[arg-type]


# -- properties ------------------------------------------------------------------

coordinates = st.one_of(
    st.floats(-50, CANVAS_SIZE + 50),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, CANVAS_SIZE, -1e300, 1e300, float("nan")]),
)
strokes = st.builds(
    Stroke,
    st.lists(st.tuples(coordinates, coordinates), max_size=12),
    st.one_of(st.floats(0, 60), st.floats(0, 1e15)),
    st.booleans(),
)
drawings = st.builds(Drawing, st.lists(strokes, max_size=5))


@settings(max_examples=60, deadline=None)
@given(drawings)
def test_any_drawing_renders_or_is_none(d: Drawing) -> None:
    out = render(d, 56)
    assert out.shape == (56, 56) and out.dtype == np.uint8
    assert (d.ink_bounds() is None) == d.is_empty
    net = render_for_network(d)
    if d.is_empty:
        assert net is None
    elif not any(s.erase for s in d.strokes):
        assert net is not None
    if net is not None:
        assert net.shape == (112, 112) and net.dtype == np.uint8
    mnist = drawing_to_mnist(d)
    if mnist is not None:
        assert mnist.shape == (28, 28)
        assert mnist.dtype == np.float32
        assert np.isfinite(mnist).all()
        assert mnist.min() >= 0.0 and mnist.max() == 1.0
    if d.is_empty:
        assert mnist is None


# -- a canvas wider than tall ----------------------------------------------------


def test_render_can_be_wider_than_tall() -> None:
    d = two(140, 140, 200, 18)
    wide = render(d, 140, width=420)
    assert wide.shape == (140, 420)
    np.testing.assert_array_equal(wide[:, :140], render(d, 140))
    assert wide[:, 140:].max() == 0
    far = Drawing((Stroke(np.asarray(d.strokes[0].points) + np.array([560, 0]), 18),))
    np.testing.assert_array_equal(render(far, 140, width=420)[:, 280:], wide[:, :140])
    with pytest.raises(ValueError, match="width"):
        render(d, 140, width=0)


def test_erasers_count_beyond_the_square_canvas() -> None:
    """An erased stray stroke far right on a wide canvas does not shrink the digit."""
    digit = two(1000, 140, 150, 12)
    stray = Stroke(((1150, 40), (1160, 40)), 12)
    eraser = Stroke(((1150, 40), (1160, 40)), 30, erase=True)
    clean = drawing_to_mnist(digit)
    erased = drawing_to_mnist(Drawing((*digit.strokes, stray, eraser)))
    assert clean is not None and erased is not None
    assert np.corrcoef(clean.ravel(), erased.ravel())[0, 1] > 0.99
