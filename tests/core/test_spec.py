from __future__ import annotations

import json

import pytest

from nnpad.core.recipe import presets
from nnpad.core.recipe import spec as specs
from nnpad.core.recipe.spec import (
    Architecture,
    Augmentation,
    Recipe,
    SpecError,
    TrainConfig,
)


def test_default_is_the_classic_network() -> None:
    recipe = presets.classic()
    assert recipe.architecture.hidden == (128, 64)
    assert recipe.architecture.activation == "relu"
    assert (recipe.train.batch_size, recipe.train.epochs) == (32, 5)
    assert recipe.train.learning_rate == pytest.approx(1e-3)
    assert recipe.architecture.describe() == "784-128-64-10 relu"


@pytest.mark.parametrize(
    ("name", "summary"),
    [
        ("classic", "784-128-64-10"),
        ("cnn", "CNN, 2 conv layers → 10"),
        ("shipped-cnn", "CNN, 4 conv layers → 128-10"),
    ],
)
def test_a_network_has_a_short_name(name: str, summary: str) -> None:
    assert presets.preset(name).architecture.summary() == summary


@pytest.mark.parametrize("name", sorted(presets.ALL_PRESETS))
def test_presets_round_trip_through_json(name: str) -> None:
    recipe = presets.preset(name)
    again = Recipe.from_json(recipe.to_json())
    assert again == recipe
    assert json.loads(again.to_json()) == json.loads(recipe.to_json())


def test_partial_json_fills_defaults() -> None:
    recipe = Recipe.from_json(
        '{"architecture": {"hidden": [32]}, "train": {"epochs": 2}}'
    )
    assert recipe.architecture.hidden == (32,)
    assert recipe.train.epochs == 2
    assert recipe.train.batch_size == 32


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"architecture": {"hidden": []}}', "hidden"),
        ('{"architecture": {"hidden": [0]}}', "between"),
        ('{"architecture": {"hidden": [1.5]}}', "whole number"),
        ('{"architecture": {"activation": "gelu"}}', "activation"),
        ('{"architecture": {"dropout": 0.95}}', "dropout"),
        ('{"architecture": {"colour": 1}}', "unknown key"),
        ('{"train": {"epochs": 0}}', "epochs"),
        ('{"train": {"batch_size": "32"}}', "whole number"),
        ('{"train": {"learning_rate": NaN}}', "learning_rate"),
        ('{"architecture": {"augmentation": {"rotation": 90}}}', "rotation"),
        ('{"train": {"lr_schedule": "step"}}', "lr_schedule"),
    ],
)
def test_invalid_specs_are_refused_with_a_reason(text: str, words: str) -> None:
    with pytest.raises(SpecError, match=words):
        Recipe.from_json(text)


def test_with_changes_validates_and_rejects_unknown_names() -> None:
    changed = specs.with_changes(presets.classic(), hidden=(10, 10, 10), epochs=1)
    assert changed.architecture.hidden == (10, 10, 10)
    assert changed.train.epochs == 1
    with pytest.raises(SpecError, match="unknown"):
        specs.with_changes(presets.classic(), colour="red")
    with pytest.raises(SpecError):
        specs.with_changes(presets.classic(), dropout=-0.1)


def test_specs_are_frozen() -> None:
    model = Architecture()
    with pytest.raises(AttributeError):
        model.hidden = (1,)  # type: ignore[misc]
    assert Augmentation().enabled is False
    assert Augmentation(shift=2).enabled is True
    assert TrainConfig().validation_split == pytest.approx(0.1)


def test_unknown_preset() -> None:
    with pytest.raises(SpecError, match="classic"):
        presets.preset("huge")


def test_specs_from_before_the_rename_still_load() -> None:
    # nnpad 0.1 wrote {"model": ...}: models and settings saved then keep working.
    old = Recipe.from_json('{"model": {"hidden": [32]}, "train": {"epochs": 2}}')
    assert old.architecture.hidden == (32,)
    assert "model" not in old.to_dict() and "architecture" in old.to_dict()
    with pytest.raises(SpecError, match="unknown"):
        Recipe.from_json('{"model": {}, "architecture": {}}')


def test_new_training_settings_default_to_the_old_behaviour() -> None:
    train = TrainConfig()
    assert train.train_samples is None
    assert train.early_stopping_patience == 0
    assert train.restore_best_weights is False


def test_old_json_without_the_new_settings_still_loads() -> None:
    old = {
        "model": {"hidden": [128, 64]},
        "train": {"learning_rate": 0.001, "batch_size": 32, "epochs": 5, "seed": 0},
    }
    assert Recipe.from_dict(old) == presets.classic()


def test_new_settings_round_trip_through_json() -> None:
    recipe = specs.with_changes(
        presets.overfit(), early_stopping_patience=3, restore_best_weights=True
    )
    data = json.loads(recipe.to_json())
    assert data["train"]["train_samples"] == 300
    assert data["train"]["early_stopping_patience"] == 3
    assert data["train"]["restore_best_weights"] is True
    assert Recipe.from_json(recipe.to_json()) == recipe
    assert (
        Recipe.from_json('{"train": {"train_samples": null}}').train.train_samples
        is None
    )


@pytest.mark.parametrize(
    ("train", "words"),
    [
        ('{"train_samples": 0}', "train_samples"),
        ('{"train_samples": 2.5}', "whole number"),
        ('{"early_stopping_patience": -1}', "early_stopping_patience"),
        ('{"restore_best_weights": 1}', "true or false"),
        ('{"early_stopping_patience": 2, "validation_split": 0}', "validation split"),
        ('{"restore_best_weights": true, "validation_split": 0}', "validation split"),
    ],
)
def test_invalid_new_settings_are_refused(train: str, words: str) -> None:
    with pytest.raises(SpecError, match=words):
        Recipe.from_json(f'{{"train": {train}}}')


def test_every_preset_has_a_one_line_description() -> None:
    assert set(presets.PRESET_DESCRIPTIONS) == set(presets.ALL_PRESETS)
    for text in presets.PRESET_DESCRIPTIONS.values():
        assert "\n" not in text
        assert 20 <= len(text) <= 100


def test_the_remedy_presets_differ_from_overfit_only_by_their_remedy() -> None:
    overfit = presets.preset("overfit")
    dropout = presets.preset("overfit-dropout")
    l2 = presets.preset("overfit-l2")
    assert dropout.train == l2.train == overfit.train
    assert dropout.architecture == Architecture(
        hidden=overfit.architecture.hidden, dropout=dropout.architecture.dropout
    )
    assert l2.architecture == Architecture(
        hidden=overfit.architecture.hidden, l2=l2.architecture.l2
    )
    assert overfit.train.train_samples is not None
    assert overfit.train.train_samples <= 500
