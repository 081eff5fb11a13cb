"""Any image (or drawing) to the MNIST layout."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from nnpad.core.ink.image_file import load_image
from nnpad.core.ink.strokes import Drawing, Stroke, render
from nnpad.core.reading.preprocess import drawing_to_mnist, find_ink, to_mnist


def digit(
    cx: float, cy: float, size: float, width: float, shape: str = "two"
) -> Drawing:
    """A digit outline in a unit box, scaled to ``size`` around ``(cx, cy)``."""
    if shape == "two":
        a = np.linspace(math.radians(200), math.radians(-40), 30)
        arc = np.c_[0.5 + 0.3 * np.cos(a), 0.3 - 0.25 * np.sin(a)]
        unit = np.vstack([arc, [[0.15, 0.95], [0.85, 0.95]]])
    elif shape == "seven":
        unit = np.array([[0.2, 0.1], [0.8, 0.1], [0.4, 0.9]])
    else:  # a zero
        a = np.linspace(0, 2 * math.pi, 40)
        unit = np.c_[0.5 + 0.3 * np.cos(a), 0.5 + 0.45 * np.sin(a)]
    pts = np.c_[cx + (unit[:, 0] - 0.5) * size, cy + (unit[:, 1] - 0.5) * size]
    return Drawing((Stroke(pts, width),))


def picture(d: Drawing, size: int = 280) -> np.ndarray:
    """Dark ink on white paper, like a scan."""
    return 255 - render(d, size)


def assert_mnist(out: np.ndarray | None) -> np.ndarray:
    assert out is not None
    assert out.shape == (28, 28)
    assert out.dtype == np.float32
    assert np.isfinite(out).all()
    assert out.min() >= 0.0
    assert out.max() == 1.0
    return out


def centre_of_mass(a: np.ndarray) -> tuple[float, float]:
    """(y, x) in pixel-corner coordinates: the frame's centre is (14, 14)."""
    y, x = np.indices(a.shape) + 0.5
    return float((a * y).sum() / a.sum()), float((a * x).sum() / a.sum())


def ink_box(a: np.ndarray, level: float = 0.0) -> tuple[int, int]:
    ys, xs = np.nonzero(a > level)
    return int(ys.max() - ys.min() + 1), int(xs.max() - xs.min() + 1)


def corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


# -- layout ----------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["two", "seven", "zero"])
def test_output_follows_the_mnist_layout(shape: str) -> None:
    out = assert_mnist(to_mnist(picture(digit(100, 170, 120, 12, shape))))
    assert max(ink_box(out)) in (19, 20)
    cy, cx = centre_of_mass(out)
    assert abs(cy - 14) <= 1.0 and abs(cx - 14) <= 1.0
    # Ink is white on black with a clean background.
    assert out[0].max() == 0 and out[:, 0].max() == 0


def test_centre_of_mass_is_within_half_a_pixel_when_unclamped() -> None:
    for cx, cy, size in [(140, 140, 200), (50, 60, 70), (200, 90, 110)]:
        out = assert_mnist(to_mnist(picture(digit(cx, cy, size, size / 12, "zero"))))
        com = centre_of_mass(out)
        assert com == pytest.approx((14, 14), abs=0.5)


def test_aspect_ratio_is_preserved() -> None:
    tall = Drawing((Stroke(((140, 40), (140, 240)), 20),))
    out = assert_mnist(to_mnist(picture(tall)))
    h, w = ink_box(out, 0.2)
    assert h in (19, 20)
    assert 1 <= w <= 3  # 20/220 of the height, plus anti-aliasing


def test_small_in_a_corner_equals_large_in_the_centre() -> None:
    small = to_mnist(picture(digit(45, 45, 70, 5)))
    large = to_mnist(picture(digit(140, 140, 240, 5 * 240 / 70)))
    assert corr(assert_mnist(small), assert_mnist(large)) > 0.9


def test_drawings_are_normalised_whatever_the_brush() -> None:
    small = assert_mnist(drawing_to_mnist(digit(45, 240, 60, 25)))
    large = assert_mnist(drawing_to_mnist(digit(140, 140, 240, 4)))
    assert corr(small, large) > 0.97
    # Without the network's proportional pen the small one is a blob.
    blob = assert_mnist(to_mnist(render(digit(45, 240, 60, 25))))
    assert blob.sum() > 1.5 * large.sum()
    assert corr(blob, large) < 0.9


def test_drawing_to_mnist_matches_the_mnist_stroke_width() -> None:
    out = assert_mnist(drawing_to_mnist(digit(140, 140, 200, 10, "seven")))
    # MNIST digits ink roughly 100-200 of the 784 pixels (sum of intensities).
    assert 60 < out.sum() < 220


def test_drawing_to_mnist_none_and_errors() -> None:
    assert drawing_to_mnist(Drawing()) is None
    assert drawing_to_mnist(Drawing((Stroke(((1, 1),), 9, erase=True),))) is None
    with pytest.raises(ValueError):
        drawing_to_mnist(np.zeros((28, 28)))  # type: ignore[arg-type]


# -- polarity and paper ----------------------------------------------------------


def test_both_polarities_give_the_same_output() -> None:
    dark_on_light = picture(digit(120, 150, 150, 14))
    light_on_dark = 255 - dark_on_light
    a = assert_mnist(to_mnist(dark_on_light))
    b = assert_mnist(to_mnist(light_on_dark))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, to_mnist(dark_on_light, polarity="dark_on_light"))
    np.testing.assert_array_equal(b, to_mnist(light_on_dark, polarity="light_on_dark"))
    # Claiming the wrong polarity finds no ink rather than a negative.
    assert to_mnist(dark_on_light, polarity="light_on_dark") is None


def test_a_thick_zero_inking_most_of_the_canvas_is_judged_by_its_border() -> None:
    d = digit(140, 140, 250, 80, "zero")
    img = picture(d)
    assert (img < 128).mean() > 0.5  # the mean would call this light-on-dark
    out = assert_mnist(to_mnist(img))
    assert out[14, 14] < 0.1  # the hole stays empty
    assert out[14, 4:9].max() > 0.9 and out[4:9, 14].max() > 0.9  # the ring is ink
    np.testing.assert_array_equal(out, to_mnist(255 - img))


def test_grey_paper_with_noise_still_crops_to_the_digit() -> None:
    d = digit(170, 110, 90, 8, "seven")
    clean = assert_mnist(to_mnist(picture(d)))
    rng = np.random.default_rng(1)
    ink = render(d) / 255.0
    paper = 180.0 - 110.0 * ink  # grey paper, grey pencil
    for sigma in (5, 12, 20):
        noise = rng.normal(0, sigma, paper.shape)
        noisy = np.clip(paper + noise, 0, 255).astype(np.uint8)
        out = assert_mnist(to_mnist(noisy))
        assert ink_box(out, 0.25) == ink_box(clean, 0.25)
        assert corr(out, clean) > 0.95


def test_jpeg_artefacts_do_not_defeat_the_crop(tmp_path: Path) -> None:
    d = digit(90, 190, 100, 9, "two")
    clean = assert_mnist(to_mnist(picture(d)))
    paper = (200.0 - 150.0 * render(d) / 255.0).astype(np.uint8)
    Image.fromarray(paper).convert("RGB").save(tmp_path / "d.jpg", quality=10)
    out = assert_mnist(to_mnist(load_image(tmp_path / "d.jpg")))
    assert max(ink_box(out, 0.1)) in (19, 20)
    assert corr(out, clean) > 0.95


def test_isolated_hot_pixels_neither_set_the_box_nor_the_threshold() -> None:
    img = picture(digit(150, 150, 100, 10))
    clean = assert_mnist(to_mnist(img))
    specked = img.copy()
    specked[5, 5] = specked[270, 20] = specked[10, 260] = 0
    np.testing.assert_array_equal(assert_mnist(to_mnist(specked)), clean)
    # A faint digit (contrast 60) with a full-contrast speck is still found.
    faint = (255 - (255 - img) * (60 / 255)).astype(np.uint8)
    faint[3, 3] = 0
    assert corr(assert_mnist(to_mnist(faint)), clean) > 0.95


# -- no ink ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((0, 0), np.uint8),
        np.zeros((0, 5, 3), np.float32),
        np.zeros((7, 0)),
        np.zeros((1, 1), np.uint8),
        np.full((280, 280), 255, np.uint8),
        np.full((50, 60), 0.5),
        np.zeros((280, 280, 4), np.uint8),  # fully transparent
    ],
)
def test_blank_images_have_no_ink(image: np.ndarray) -> None:
    assert to_mnist(image) is None


def test_noise_below_the_contrast_floor_has_no_ink() -> None:
    rng = np.random.default_rng(2)
    noise = (128 + rng.integers(-19, 20, size=(280, 280))).astype(np.uint8)
    assert to_mnist(noise) is None
    # Lone pixels, however dark, are specks rather than a digit.
    speckle = np.full((280, 280), 200, np.uint8)
    speckle[np.arange(3, 280, 47), np.arange(5, 280, 47)] = 0
    assert to_mnist(speckle) is None


# -- input types -----------------------------------------------------------------


def test_dtypes_and_channels_agree() -> None:
    gray = picture(digit(140, 140, 180, 14))
    ref = assert_mnist(to_mnist(gray))
    as_float = gray / 255.0
    variants = [
        as_float,
        as_float.astype(np.float32),
        gray.astype(np.float64),  # float with max > 1: taken as 0..255
        gray.astype(np.int32),
        gray.astype(np.uint16) * 257,
        gray[:, :, None],
        np.repeat(gray[:, :, None], 3, axis=2),
        np.dstack([gray, gray, gray, np.full_like(gray, 255)]),
        np.asfortranarray(gray),
    ]
    for v in variants:
        out = assert_mnist(to_mnist(v))
        assert np.abs(out - ref).max() < 0.02, v.dtype
    assert corr(assert_mnist(to_mnist(gray < 128)), ref) > 0.95


def test_rgb_ink_on_coloured_paper() -> None:
    ink = render(digit(140, 140, 180, 14)) / 255.0
    paper = np.array([240, 220, 160], float)  # yellowish
    blue = np.array([30, 40, 160], float)
    rgb = (paper * (1 - ink[..., None]) + blue * ink[..., None]).astype(np.uint8)
    ref = assert_mnist(to_mnist(picture(digit(140, 140, 180, 14))))
    assert corr(assert_mnist(to_mnist(rgb)), ref) > 0.98


def test_transparent_pixels_are_paper() -> None:
    ink = render(digit(140, 140, 180, 14))
    ref = assert_mnist(to_mnist(ink))
    # Black strokes on a transparent canvas whose hidden colour is also black.
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3] = ink
    assert corr(assert_mnist(to_mnist(rgba)), ref) > 0.99
    # White strokes on a transparent canvas.
    rgba[..., :3] = 255
    assert corr(assert_mnist(to_mnist(rgba)), ref) > 0.99
    # Transparency with noise in the hidden colour changes nothing.
    rgba[..., :3] = np.random.default_rng(3).integers(0, 256, (280, 280, 3))
    rgba[..., :3][ink > 0] = 0
    assert corr(assert_mnist(to_mnist(rgba)), ref) > 0.99


def test_non_finite_floats_are_tolerated() -> None:
    img = picture(digit(140, 140, 180, 14)) / 255.0
    img[0, :10] = np.nan
    img[5, 5] = np.inf
    assert_mnist(to_mnist(img))


@pytest.mark.parametrize(
    "image",
    [
        np.zeros(10),
        np.zeros(()),
        np.zeros((4, 4, 4, 4)),
        np.zeros((4, 4, 5)),
        np.zeros((4, 4, 0)),
        np.zeros((4, 4), dtype=object),
        np.zeros((4, 4), dtype=complex),
        np.array([["a", "b"], ["c", "d"]]),
        [[0, 255], [255, 0]],
        None,
        "image.png",
    ],
)
def test_malformed_images_raise_value_error(image: object) -> None:
    with pytest.raises(ValueError):
        to_mnist(image)  # type: ignore[arg-type]


@pytest.mark.parametrize("polarity", ["", "dark", None, 1, ["auto"]])
def test_unknown_polarity_raises_value_error(polarity: object) -> None:
    with pytest.raises(ValueError):
        to_mnist(np.zeros((5, 5)), polarity=polarity)  # type: ignore[arg-type]


def test_a_5000_pixel_photo() -> None:
    d = digit(150, 120, 120, 10)
    small = render(d, 280)
    big = np.asarray(Image.fromarray(255 - small).resize((5000, 5000)))
    out = assert_mnist(to_mnist(big))
    assert corr(out, assert_mnist(to_mnist(255 - small))) > 0.95
    assert max(ink_box(out, 0.05)) in (19, 20)


def test_extreme_aspect_ratios() -> None:
    row = np.zeros((1, 3000), np.uint8)
    row[0, 1000:2000] = 255
    out = assert_mnist(to_mnist(row))
    assert ink_box(out) == (1, 20)
    col = np.zeros((400, 3), np.uint8)
    col[100:300, 1] = 255
    assert ink_box(assert_mnist(to_mnist(col))) == (20, 1)


# -- load_image ------------------------------------------------------------------


def test_load_image_formats(tmp_path: Path) -> None:
    gray = picture(digit(140, 140, 180, 14))
    ref = assert_mnist(to_mnist(gray))
    Image.fromarray(gray).save(tmp_path / "d.png")
    Image.fromarray(gray).convert("RGB").save(tmp_path / "d.jpg", quality=40)
    Image.fromarray(gray).convert("1").save(tmp_path / "d.bmp")
    Image.fromarray(gray.astype(np.uint16) * 257).save(tmp_path / "d16.png")
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3] = 255 - gray
    Image.fromarray(rgba).save(tmp_path / "t.png")
    Image.fromarray(gray).convert("P").save(tmp_path / "d.gif")
    for name in ["d.png", "d.jpg", "d.bmp", "d16.png", "t.png", "d.gif"]:
        img = load_image(tmp_path / name)
        assert img.dtype == np.uint8 and img.shape == (280, 280), name
        assert corr(assert_mnist(to_mnist(img)), ref) > 0.97, name
    np.testing.assert_array_equal(load_image(str(tmp_path / "d.png")), gray)
    np.testing.assert_array_equal(load_image(tmp_path / "d16.png"), gray)


def test_load_image_applies_exif_orientation(tmp_path: Path) -> None:
    gray = np.full((30, 50), 255, np.uint8)
    gray[5:10, 30:45] = 0
    img = Image.fromarray(gray)
    exif = img.getexif()
    exif[0x0112] = 6  # stored rotated: display after turning 90° clockwise
    img.save(tmp_path / "r.jpg", exif=exif, quality=95)
    loaded = load_image(tmp_path / "r.jpg")
    assert loaded.shape == (50, 30)
    np.testing.assert_allclose(loaded, np.rot90(gray, -1), atol=40)


def test_load_image_errors(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "noise.png").write_bytes(bytes(range(256)) * 4)
    good = tmp_path / "good.png"
    Image.fromarray(picture(digit(140, 140, 180, 14))).save(good)
    (tmp_path / "cut.png").write_bytes(good.read_bytes()[:200])
    for name in ["missing.png", "notes.txt", "noise.png", "cut.png", "."]:
        with pytest.raises(ValueError, match="cannot read image"):
            load_image(tmp_path / name)
    with pytest.raises(ValueError, match="cannot read image"):
        load_image(42)  # type: ignore[arg-type]


# -- properties ------------------------------------------------------------------

dtypes = st.sampled_from(
    [np.uint8, np.uint16, np.int16, np.float32, np.float64, np.bool_]
)
shapes = st.tuples(st.integers(1, 48), st.integers(1, 48)).flatmap(
    lambda hw: st.one_of(
        st.just(hw), st.sampled_from([1, 2, 3, 4]).map(lambda c: (*hw, c))
    )
)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(dtypes, shapes), st.sampled_from(["auto", "light_on_dark"]))
def test_any_image_gives_mnist_or_none(image: np.ndarray, polarity: str) -> None:
    out = to_mnist(image, polarity=polarity)  # type: ignore[arg-type]
    if out is not None:
        assert_mnist(out)
        assert max(ink_box(out)) <= 20


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 400),
    st.integers(1, 400),
    st.lists(
        st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)),
        max_size=4,
    ),
    st.integers(0, 255),
    st.integers(0, 255),
)
def test_any_sized_picture_gives_mnist_or_none(
    h: int, w: int, boxes: list, paper: int, ink: int
) -> None:
    img = np.full((h, w), paper, np.uint8)
    for a, b, c, d in boxes:
        y0, y1 = sorted((int(a * h), int(b * h)))
        x0, x1 = sorted((int(c * w), int(d * w)))
        img[y0 : y1 + 1, x0 : x1 + 1] = ink
    out = to_mnist(img)
    if out is not None:
        assert_mnist(out)
        assert max(ink_box(out)) <= 20
    if abs(ink - paper) < 40 or not boxes:
        assert out is None


# -- find_ink (for pictures of several digits) -----------------------------------


def test_find_ink_measures_ink_as_to_mnist_does() -> None:
    img = picture(digit(120, 150, 150, 14))
    found = find_ink(img)
    assert found is not None
    ink, level = found
    assert ink.shape == img.shape and ink.dtype == np.uint8
    np.testing.assert_array_equal(ink, 255 - img)  # white paper: distance from it
    assert level == math.ceil(0.25 * 255)
    again = find_ink(255 - img, polarity="light_on_dark")
    assert again is not None
    np.testing.assert_array_equal(again[0], ink)
    assert find_ink(img, polarity="light_on_dark") is None
    assert find_ink(np.full((40, 60), 200, np.uint8)) is None
    with pytest.raises(ValueError):
        find_ink(np.zeros((4, 4, 5)))
