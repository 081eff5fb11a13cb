"""The "look inside" view: one ImageItem per layer, neuron details, mouse and keys."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtWidgets import QApplication

from nnpad.core.model.network import DenseBlock, Network
from nnpad.core.reading.explain import NeuronMaps, saliency
from nnpad.core.reading.recognition import Recognition, read_digit
from nnpad.core.recipe.spec import Architecture
from nnpad.ui.inside import grids
from nnpad.ui.inside.activation_view import ActivationView


def make_network(
    hidden: tuple[int, ...] = (16, 8), activation: str = "relu", seed: int = 0
) -> Network:
    rng = np.random.default_rng(seed)
    sizes = [784, *hidden, 10]
    blocks = [
        DenseBlock(
            rng.normal(0.0, 0.2, (n_in, n_out)).astype(np.float32),
            rng.normal(0.0, 0.2, n_out).astype(np.float32),
            activation if i < len(hidden) else "softmax",
        )
        for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes))
    ]
    return Network(Architecture(hidden=hidden, activation=activation), blocks)


def digit_image() -> np.ndarray:
    image = np.zeros((28, 28), dtype=np.float32)
    image[5:23, 12:16] = 1.0
    image[5:8, 8:16] = 0.6
    return image


@pytest.fixture
def view(qtbot) -> ActivationView:
    widget = ActivationView()
    qtbot.addWidget(widget)
    widget.resize(1000, 450)
    return widget


@pytest.fixture
def shown(qtbot, view) -> ActivationView:
    """A visible view, so the graphics layout has real geometry for mouse mapping."""
    view.show()
    qtbot.waitExposed(view)
    return view


def settle(qtbot, view: ActivationView) -> None:
    """Let the layouts place the view boxes; painting brings their ranges up to date."""

    def corners() -> list[tuple[float, float]]:
        view.grab()
        return [
            (p.x(), p.y())
            for item in [*view.image_items(), view.mosaic_item()]
            for p in (item.mapToScene(QPointF()), item.mapToScene(QPointF(1, 1)))
        ]

    previous: list = []

    def stable() -> bool:
        nonlocal previous
        current, previous = previous, corners()
        return current == previous

    qtbot.waitUntil(stable, timeout=3000)
    items = view.image_items()
    first, last = items[0].mapToScene(QPointF()), items[-1].mapToScene(QPointF())
    assert last.x() > first.x() + 100, "layers are not laid out side by side"


def scene_point(item, x: float, y: float) -> QPointF:
    return item.mapToScene(QPointF(x, y))


# -- layout helpers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("units", "shape"),
    [(128, (16, 8)), (64, (8, 8)), (512, (32, 16)), (16, (4, 4)), (10, (4, 3))],
)
def test_grid_shape_is_near_square_and_upright(units, shape):
    assert grids.grid_shape(units) == shape


# -- building ----------------------------------------------------------------------


def test_one_image_item_per_layer_rebuilt_only_for_a_new_architecture(view):
    view.set_network(make_network((16, 8)))
    items = view.image_items()
    assert len(items) == 4  # input, two hidden, output
    assert [item.image.shape for item in items] == [(28, 28), (4, 4), (4, 2), (1, 10)]

    view.set_network(make_network((16, 8), seed=1))
    assert view.image_items() == items  # same architecture: same items

    view.set_network(make_network((32, 16, 12)))
    rebuilt = view.image_items()
    assert len(rebuilt) == 5
    assert not set(map(id, rebuilt)) & set(map(id, items))
    assert rebuilt[1].image.shape == (8, 4)

    view.set_network(None)
    assert view.image_items() == []
    assert view.detail.caption() == "No model loaded."


def test_titles_name_size_and_activation(view):
    view.set_network(make_network((16, 8), activation="tanh"))
    texts = [
        item.text
        for item in view.diagram.ci.items
        if hasattr(item, "text") and isinstance(item.text, str)
    ]
    assert texts == [
        "Input 28×28",
        "Hidden 1 (16, tanh)",
        "Hidden 2 (8, tanh)",
        "Output",
    ]


# -- activations ---------------------------------------------------------------------


def test_show_activations_lays_each_layer_out_on_its_grid(view):
    network = make_network((10, 8))  # 10 units -> 4x3 grid with two blank cells
    view.set_network(network)
    acts = network.activations(digit_image())
    view.show_activations(acts)

    items = view.image_items()
    np.testing.assert_array_equal(items[0].image, acts[0].reshape(28, 28))
    hidden = items[1].image
    assert hidden.shape == (4, 3)
    np.testing.assert_array_equal(hidden.ravel()[:10], acts[1][0])
    assert np.isnan(hidden.ravel()[10:]).all()
    np.testing.assert_array_equal(items[2].image, acts[2][0].reshape(4, 2))
    np.testing.assert_array_equal(items[3].image, acts[3][0].reshape(1, 10))


def test_levels_are_fixed_or_a_running_maximum(view):
    network = make_network((16, 8))
    view.set_network(network)
    bright = network.activations(digit_image())
    view.show_activations(bright)
    items = view.image_items()
    high = float(bright[1].max())
    assert tuple(items[0].levels) == (0.0, 1.0)
    assert tuple(items[1].levels) == pytest.approx((0.0, high))
    assert tuple(items[3].levels) == (0.0, 1.0)

    # A fainter drawing keeps the scale, so colours stay comparable while drawing.
    view.show_activations(network.activations(digit_image() * 0.1))
    assert tuple(items[1].levels) == pytest.approx((0.0, high))

    view.set_network(make_network((16, 8), activation="tanh"))
    view.show_activations(view.network().activations(digit_image()))
    assert tuple(view.image_items()[1].levels) == (-1.0, 1.0)


def test_none_blanks_every_layer(view):
    network = make_network()
    view.set_network(network)
    view.show_activations(network.activations(digit_image()))
    view.select_neuron(1, 2)
    view.show_activations(None)
    for item in view.image_items():
        assert np.isnan(item.image).all()
    assert view.detail.caption() == "Hidden 1, neuron 2: no drawing"


def test_activations_of_another_shape_are_refused(view):
    view.set_network(make_network((16, 8)))
    with pytest.raises(ValueError, match="layers"):
        view.show_activations(make_network((16,)).activations(digit_image()))
    with pytest.raises(ValueError, match="units"):
        view.show_activations(make_network((12, 8)).activations(digit_image()))


def test_predicted_digit_is_highlighted(view):
    network = make_network()
    view.set_network(network)
    acts = network.activations(digit_image())
    view.show_activations(acts)
    digit = int(acts[-1].argmax())
    marker = view.diagram.predict_marker
    assert marker.isVisible()
    assert marker.rect().x() == digit
    view.show_activations(None)
    assert not marker.isVisible()


def test_many_updates_create_no_scene_items(view):
    network = make_network((16, 8))
    view.set_network(network)
    view.select_neuron(2, 1)  # the detail panel updates too
    scenes = [
        view.diagram.scene(),
        view.mosaic.scene(),
        view.detail._weights_view.scene(),
        view.detail._bars_view.scene(),
    ]
    rng = np.random.default_rng(1)
    frames = [network.activations(rng.random((28, 28))) for _ in range(5)]
    view.show_activations(frames[0])
    before = [len(scene.items()) for scene in scenes]
    items = view.image_items()
    for i in range(500):
        view.show_activations(frames[i % 5])
    assert [len(scene.items()) for scene in scenes] == before
    assert view.image_items() == items


# -- neuron details ------------------------------------------------------------------


def test_selecting_a_first_layer_neuron_shows_its_weights_and_activation(view, qtbot):
    network = make_network()
    view.set_network(network)
    acts = network.activations(digit_image())
    view.show_activations(acts)
    with qtbot.waitSignal(view.selection_changed) as signal:
        view.select_neuron(1, 3)
    assert signal.args == [(1, 3)]
    assert view.selected_neuron() == (1, 3)
    np.testing.assert_array_equal(
        view.detail.weights_item.image, NeuronMaps(network).weight_images(1)[3]
    )
    limit = np.abs(NeuronMaps(network).weight_images(1)[3]).max()
    assert tuple(view.detail.weights_item.levels) == pytest.approx((-limit, limit))
    assert view.detail.caption() == (
        f"Hidden 1, neuron 3: activation {acts[1][0, 3]:.2f}"
    )


def test_deeper_neurons_show_weights_and_output_digits_this_drawings_saliency(view):
    network = make_network((16, 8))
    view.set_network(network)
    reading = read_digit(network, digit_image())
    acts = [np.asarray(a)[None] for a in reading.activations]

    view.select_neuron(3, 7)
    # Without a drawing there is nothing to explain.
    assert np.isnan(view.detail.weights_item.image).all()
    assert "Draw a digit" in view.detail.pushes()

    view.show_recognition(Recognition((reading,)))
    view.select_neuron(2, 5)
    np.testing.assert_allclose(
        view.detail.weights_item.image,
        NeuronMaps(network).weight_images(2)[5],
        rtol=1e-6,
    )
    assert view.detail.caption().startswith("Hidden 2, neuron 5: activation")

    view.select_neuron(3, 7)
    # The output digit's map is this drawing's gradient x input, not fixed weights.
    np.testing.assert_allclose(
        view.detail.weights_item.image,
        saliency(network, reading.image, 7),
        rtol=1e-5,
        atol=1e-7,
    )
    assert view.detail.caption().startswith(
        f"Output, digit 7: probability {acts[3][0, 7]:.2f}"
    )
    assert view.detail.contributions() is None
    assert "read 7 in this drawing" in view.detail.pushes()
    # Another drawing, the same neuron: the map follows the drawing.
    other = digit_image()[:, ::-1].copy()
    view.show_recognition(Recognition((read_digit(network, other),)))
    np.testing.assert_allclose(
        view.detail.weights_item.image,
        saliency(network, other, 7),
        rtol=1e-5,
        atol=1e-7,
    )


def test_the_likeliest_digit_is_predicted_only_when_the_reading_says_digit(view):
    network = make_network((16, 8))
    view.set_network(network)
    sure = read_digit(network, digit_image())
    digit = sure.digit
    sure = replace(sure, verdict=replace(sure.verdict, kind="digit"))
    view.show_recognition(Recognition((sure,)))
    assert view.detail.caption().endswith(
        f"digit {digit}: probability {sure.probabilities[digit]:.2f} (predicted)"
    )
    rejected = replace(sure, verdict=replace(sure.verdict, kind="not a digit"))
    view.show_recognition(Recognition((rejected,)))
    assert "(predicted)" not in view.detail.caption()
    assert view.detail.caption().endswith("the reading is: not a digit)")
    unsure = replace(sure, verdict=replace(sure.verdict, kind="unsure"))
    view.show_recognition(Recognition((unsure,)))
    assert view.detail.caption().endswith("the reading is unsure)")


def test_last_hidden_neuron_shows_what_it_adds_to_each_digit(view):
    network = make_network((16, 8))
    view.set_network(network)
    acts = network.activations(digit_image())
    view.show_activations(acts)
    neuron = int(acts[2][0].argmax())
    assert acts[2][0, neuron] > 0
    view.select_neuron(2, neuron)

    expected = acts[2][0, neuron] * network.blocks[2].kernel[neuron]
    np.testing.assert_allclose(view.detail.contributions(), expected, rtol=1e-5)
    best = int(expected.argmax())
    assert view.detail.pushes().startswith(f"It pushes toward {best} (")

    # Follows the drawing without reselecting.
    fainter = network.activations(digit_image() * 0.5)
    view.show_activations(fainter)
    value = fainter[2][0, neuron]
    assert view.detail.caption() == f"Hidden 2, neuron {neuron}: activation {value:.2f}"


def test_input_pixel_reports_its_value_without_weights(view):
    network = make_network()
    view.set_network(network)
    view.show_activations(network.activations(digit_image()))
    view.select_neuron(0, 10 * 28 + 13)
    assert view.detail.caption() == "Input, pixel (row 10, column 13): value 1.00"
    assert np.isnan(view.detail.weights_item.image).all()


def test_bad_neuron_is_refused(view):
    view.set_network(make_network((16, 8)))
    with pytest.raises(IndexError):
        view.select_neuron(4, 0)
    with pytest.raises(IndexError):
        view.select_neuron(2, 8)


# -- first-layer weight mosaic -------------------------------------------------------


def test_mosaic_tiles_every_first_layer_neuron_with_gaps(view):
    network = make_network((16, 8))
    view.set_network(network)
    mosaic = view.mosaic_item().image
    assert view.mosaic_tiles() == (4, 4)
    assert mosaic.shape == (4 * 28 + 3, 4 * 28 + 3)
    weights = NeuronMaps(network).weight_images(1)
    for row, col in [(0, 0), (1, 2), (3, 3)]:
        top, left = row * 29, col * 29
        np.testing.assert_array_equal(
            mosaic[top : top + 28, left : left + 28], weights[row * 4 + col]
        )
    assert np.isnan(mosaic[28, :]).all() and np.isnan(mosaic[:, 28]).all()

    item = view.mosaic_item()
    view.set_network(make_network((16, 8), seed=5))
    assert view.mosaic_item() is item
    np.testing.assert_array_equal(
        item.image[:28, :28], NeuronMaps(view.network()).weight_images(1)[0]
    )


# -- mouse ---------------------------------------------------------------------------


def test_hover_previews_a_neuron_and_leaving_restores_the_selection(shown, qtbot):
    network = make_network((16, 8))
    shown.set_network(network)
    settle(qtbot, shown)
    shown.show_activations(network.activations(digit_image()))
    shown.select_neuron(1, 0)
    scene = shown.diagram.scene()
    item = shown.image_items()[2]  # Hidden 2, 4x2 grid: neuron 5 is row 2, col 1

    scene.sigMouseMoved.emit(scene_point(item, 1.5, 2.5))
    assert shown.shown_neuron() == (2, 5)
    assert shown.selected_neuron() == (1, 0)
    assert shown.detail.caption().startswith("Hidden 2, neuron 5:")
    np.testing.assert_allclose(
        shown.detail.weights_item.image,
        NeuronMaps(network).weight_images(2)[5],
        rtol=1e-6,
    )

    scene.sigMouseMoved.emit(scene_point(item, 1.0, -0.5))  # just above the grid
    assert shown.shown_neuron() == (1, 0)
    assert shown.detail.caption().startswith("Hidden 1, neuron 0:")

    scene.sigMouseMoved.emit(scene_point(shown.image_items()[3], 7.5, 0.5))
    assert shown.shown_neuron() == (3, 7)
    QApplication.sendEvent(shown.diagram.viewport(), QEvent(QEvent.Type.Leave))
    assert shown.shown_neuron() == (1, 0)


def test_click_selects_the_neuron_under_the_mouse(shown, qtbot):
    network = make_network((16, 8))
    shown.set_network(network)
    settle(qtbot, shown)
    widget = shown.diagram
    item = shown.image_items()[1]  # Hidden 1, 4x4 grid: neuron 9 is row 2, col 1
    where = widget.mapFromScene(scene_point(item, 1.5, 2.5))
    qtbot.mouseClick(widget.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert shown.selected_neuron() == (1, 9)


def test_hovering_and_clicking_a_mosaic_tile_picks_that_neuron(shown, qtbot):
    network = make_network((16, 8))
    shown.set_network(network)
    shown._tabs.setCurrentIndex(1)
    settle(qtbot, shown)
    widget = shown.mosaic
    item = shown.mosaic_item()
    point = scene_point(item, 2 * 29 + 10, 1 * 29 + 20)  # tile row 1, col 2

    widget.scene().sigMouseMoved.emit(point)
    assert shown.shown_neuron() == (1, 6)
    widget.scene().sigMouseMoved.emit(scene_point(item, 28.5, 3))  # a gap
    assert shown.shown_neuron() is None

    where = widget.mapFromScene(point)
    qtbot.mouseClick(widget.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert shown.selected_neuron() == (1, 6)
    np.testing.assert_array_equal(
        shown.detail.weights_item.image, NeuronMaps(network).weight_images(1)[6]
    )


# -- keyboard ------------------------------------------------------------------------


def test_keys_move_within_and_between_layers(view, qtbot):
    view.set_network(make_network((16, 8)))
    qtbot.keyClick(view, Qt.Key.Key_Right)  # nothing selected: start at Hidden 1
    assert view.selected_neuron() == (1, 0)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.selected_neuron() == (1, 1)
    qtbot.keyClick(view, Qt.Key.Key_Down)  # 4 columns
    assert view.selected_neuron() == (1, 5)
    qtbot.keyClick(view, Qt.Key.Key_Left)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClick(view, Qt.Key.Key_Up)  # already on the top row: stays
    assert view.selected_neuron() == (1, 0)

    qtbot.keyClick(view, Qt.Key.Key_PageDown)
    assert view.selected_neuron() == (2, 0)
    qtbot.keyClick(view, Qt.Key.Key_BracketRight)
    assert view.selected_neuron() == (3, 0)
    qtbot.keyClick(view, Qt.Key.Key_BracketRight)  # no layer after the output
    assert view.selected_neuron() == (3, 0)
    qtbot.keyClick(view, Qt.Key.Key_PageUp)
    qtbot.keyClick(view, Qt.Key.Key_BracketLeft)
    assert view.selected_neuron() == (1, 0)
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert view.selected_neuron() is None


def test_tab_changes_layer_then_lets_focus_move_on(shown, qtbot):
    shown.set_network(make_network((16, 8)))
    shown.activateWindow()
    shown.setFocus()
    qtbot.waitUntil(shown.hasFocus)
    shown.select_neuron(2, 3)
    qtbot.keyClick(shown, Qt.Key.Key_Tab)
    assert shown.selected_neuron() == (3, 4)  # 8 units -> 10: same relative place
    assert shown.hasFocus()
    qtbot.keyClick(shown, Qt.Key.Key_Backtab)
    assert shown.selected_neuron() == (2, 3)
    shown.select_neuron(3, 3)
    qtbot.keyClick(shown, Qt.Key.Key_Tab)  # last layer: Tab leaves the view
    assert shown.selected_neuron() == (3, 3)
    assert not shown.hasFocus()


def test_accessible_name_and_key_help(view):
    assert view.objectName() == "activations"
    assert view.accessibleName() == "Layer activations"
    assert "PageUp/PageDown" in view.diagram.toolTip()
