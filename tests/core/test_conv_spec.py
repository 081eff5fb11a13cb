"""Convolutional recipes: their JSON, what is refused before training, their sums."""

from __future__ import annotations

import json

import pytest

from nnpad.core.recipe import presets
from nnpad.core.recipe.conv_spec import (
    BatchNormalization,
    Conv2D,
    Dropout,
    Flatten,
    GlobalAveragePooling2D,
    MaxPooling2D,
)
from nnpad.core.recipe.layer_table import format_table, layer_table, parameter_count
from nnpad.core.recipe.spec import Architecture, Recipe, SpecError

EVERY_KIND = Architecture(
    hidden=(16,),
    activation="tanh",
    batch_norm=True,
    conv=(
        Conv2D(4, 5, "same", "sigmoid"),
        BatchNormalization(),
        MaxPooling2D(3),
        Conv2D(6, 2),
        Dropout(0.25),
        GlobalAveragePooling2D(),
        BatchNormalization(),
        Dropout(0.1),
    ),
)


def cnn(*conv, hidden: tuple[int, ...] = ()) -> Architecture:
    return Architecture(hidden=hidden, conv=tuple(conv))


def test_the_cnn_preset_is_keras_mnist_convnet_with_its_34826_parameters() -> None:
    recipe = presets.preset("cnn")
    assert recipe.architecture.conv == (
        Conv2D(32, 3, "valid", "relu"),
        MaxPooling2D(2),
        Conv2D(64, 3, "valid", "relu"),
        MaxPooling2D(2),
        Flatten(),
        Dropout(0.5),
    )
    assert recipe.architecture.hidden == ()
    assert parameter_count(recipe.architecture) == 34_826
    assert (recipe.train.batch_size, recipe.train.epochs) == (128, 15)


def test_the_small_cnn_has_a_few_thousand_parameters() -> None:
    count = parameter_count(presets.preset("cnn-small").architecture)
    assert 2_000 <= count <= 9_000


def test_a_cnn_round_trips_through_json_with_keras_layer_names() -> None:
    recipe = Recipe(EVERY_KIND)
    data = json.loads(recipe.to_json())
    assert data["architecture"]["conv"][0] == {
        "layer": "Conv2D",
        "filters": 4,
        "kernel_size": 5,
        "padding": "same",
        "activation": "sigmoid",
    }
    assert data["architecture"]["conv"][4] == {"layer": "Dropout", "rate": 0.25}
    assert Recipe.from_json(recipe.to_json()) == recipe


def test_a_feedforward_spec_writes_no_conv_key() -> None:
    assert "conv" not in json.loads(presets.classic().to_json())["architecture"]


def test_json_settings_default_as_in_keras() -> None:
    text = json.dumps(
        {
            "architecture": {
                "hidden": [],
                "conv": [
                    {"layer": "Conv2D", "filters": 8},
                    {"layer": "MaxPooling2D"},
                    {"layer": "Flatten"},
                    {"layer": "Dropout", "rate": 1},
                ],
            }
        }
    )
    with pytest.raises(SpecError, match="rate"):
        Recipe.from_json(text)  # 1 is read as 1.0, which is too much dropout
    conv = Recipe.from_json(text.replace('"rate": 1', '"rate": 0')).architecture.conv
    assert conv[:3] == (Conv2D(8, 3, "valid", "relu"), MaxPooling2D(2), Flatten())
    assert conv[3] == Dropout(0.0) and isinstance(conv[3].rate, float)


@pytest.mark.parametrize(
    ("conv", "words"),
    [
        ([{"layer": "Conv2D", "filters": 8, "kernel_size": 29}], "kernel_size"),
        ([{"layer": "Conv3D"}], "not one of"),
        ([{"layer": "Conv2D"}], "needs its settings"),
        ([{"layer": "Conv2D", "filters": 8, "colour": 1}], "unknown key"),
        ([{"layer": "Conv2D", "filters": 8, "padding": "full"}], "padding"),
        ([{"layer": "Conv2D", "filters": 8, "activation": "gelu"}], "activation"),
        (["Conv2D"], "JSON object"),
        ({"layer": "Conv2D"}, "list of layers"),
    ],
)
def test_malformed_conv_json_is_refused_with_a_reason(conv, words: str) -> None:
    text = json.dumps({"architecture": {"hidden": [], "conv": conv}})
    with pytest.raises(SpecError, match=words):
        Recipe.from_json(text)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        (cnn(Conv2D(8, 5), MaxPooling2D(4), Conv2D(8, 7), Flatten()), "7×7 kernel"),
        (cnn(Conv2D(8, 3), *[MaxPooling2D(2)] * 5, Flatten()), "leaves nothing"),
        (cnn(Conv2D(8, 3), Flatten(), Conv2D(8, 3)), "after Flatten"),
        (cnn(Conv2D(8, 3), Flatten(), MaxPooling2D(2)), "after Flatten"),
        (cnn(Conv2D(8, 3), GlobalAveragePooling2D(), Flatten()), "after Flatten"),
        (cnn(Conv2D(8, 3), MaxPooling2D(2)), "end the conv layers with Flatten"),
        (cnn(Flatten(), Conv2D(8, 3)), "before any Conv2D"),
        (cnn(MaxPooling2D(2), BatchNormalization(), Flatten()), "before any Conv2D"),
        (Architecture(hidden=(), conv=()), "hidden must list 1 to"),
        (cnn(*[Conv2D(2, 1)] * 30, Flatten()), "1 to 24 layers"),
    ],
)
def test_a_cnn_that_cannot_work_is_refused_before_training(
    spec: Architecture, words: str
) -> None:
    with pytest.raises(SpecError, match=words):
        spec.validate()


def test_the_refusal_names_the_layer_and_what_to_change() -> None:
    spec = cnn(Conv2D(8, 5), MaxPooling2D(4), Conv2D(8, 7), Flatten())
    with pytest.raises(SpecError) as caught:
        spec.validate()
    assert str(caught.value) == (
        "conv layer 3 (Conv2D) has a 7×7 kernel but gets 6×6 maps: use a smaller"
        ' kernel, padding "same", or less pooling before it'
    )


def test_padding_same_lets_a_kernel_larger_than_its_maps_through() -> None:
    cnn(Conv2D(8, 5), MaxPooling2D(4), Conv2D(8, 7, "same"), Flatten()).validate()


@pytest.mark.parametrize(
    ("setting", "value"),
    [("dropout", 0.2), ("batch_norm", True), ("activation", "tanh")],
)
def test_hidden_layer_settings_without_hidden_layers_are_refused(
    setting: str, value: object
) -> None:
    spec = Architecture(hidden=(), conv=(Conv2D(8, 3), Flatten()), **{setting: value})
    with pytest.raises(SpecError, match=f"{setting} is a setting of the hidden"):
        spec.validate()


def test_each_layer_shows_its_shape_and_parameter_arithmetic() -> None:
    rows = layer_table(cnn(Conv2D(8, 3), MaxPooling2D(2), Flatten(), hidden=(20,)))
    assert [(row.name, row.shape_text, row.arithmetic) for row in rows] == [
        ("Input", "28×28×1", "no parameters"),
        ("Conv2D 8 3×3 relu", "26×26×8", "8 × 3×3×1 + 8 = 80"),
        ("MaxPooling2D 2×2", "13×13×8", "no parameters"),
        ("Flatten", "1352", "no parameters"),
        ("Dense 20 relu", "20", "1,352 × 20 + 20 = 27,060"),
        ("Dense 10 softmax", "10", "20 × 10 + 10 = 210"),
    ]
    assert sum(row.parameters for row in rows) == 80 + 27_060 + 210


def test_batch_norm_counts_four_numbers_per_channel() -> None:
    rows = layer_table(EVERY_KIND)
    norms = [row for row in rows if row.name == "BatchNormalization"]
    assert [(row.shape_text, row.arithmetic) for row in norms] == [
        ("28×28×4", "4 × 4 = 16"),
        ("6", "4 × 6 = 24"),
        ("16", "4 × 16 = 64"),
    ]


def test_the_table_text_ends_with_the_total() -> None:
    text = format_table(layer_table(presets.preset("cnn").architecture))
    lines = text.splitlines()
    assert lines[1].startswith("Conv2D 32 3×3 relu")
    assert lines[1].endswith("26×26×32  32 × 3×3×1 + 32 = 320")
    assert lines[-1].split() == ["total", "34,826", "parameters"]


def test_a_feedforward_table_flattens_the_image_first() -> None:
    rows = layer_table(presets.classic().architecture)
    assert [row.shape_text for row in rows] == ["28×28", "784", "128", "64", "10"]
    assert rows[2].arithmetic == "784 × 128 + 128 = 100,480"
    assert parameter_count(presets.classic().architecture) == 109_386


def test_a_cnn_describes_itself_in_one_line() -> None:
    assert presets.preset("cnn").architecture.describe() == (
        "conv 32 3×3 relu, max pool 2, conv 64 3×3 relu, max pool 2, flatten,"
        " dropout 0.5 -> 10"
    )
    assert EVERY_KIND.describe().endswith("-> 16-10 tanh, batch norm")


def test_the_window_is_offered_only_presets_it_can_show() -> None:
    # The Train form lists PRESETS; it cannot show or edit conv layers yet.
    assert not any(make().architecture.conv for make in presets.PRESETS.values())
    assert all(make().architecture.conv for make in presets.CNN_PRESETS.values())
    assert presets.ALL_PRESETS == {**presets.PRESETS, **presets.CNN_PRESETS}
    assert presets.preset("cnn-small") == presets.cnn_small()
