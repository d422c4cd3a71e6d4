"""utils.explain: Grad-CAM and saliency find the evidence where it is, for any input layout."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from utils import explain


@pytest.fixture(scope="module")
def bright_spot_model() -> keras.Model:
    """Class 0's logit is the mean brightness, class 1's its negative: evidence for 0 lies where
    the image is bright, and there is none for 1."""
    inputs = keras.Input((16, 16, 1))
    maps = keras.layers.Conv2D(1, 1, use_bias=False, kernel_initializer="ones", name="last_conv")(inputs)
    pooled = keras.layers.GlobalAveragePooling2D()(maps)
    logits = keras.layers.Dense(2, kernel_initializer=keras.initializers.Constant([[1.0, -1.0]]),
                                bias_initializer="zeros")(pooled)
    return keras.Model(inputs, keras.layers.Activation("softmax")(logits))


def test_gradcam_points_at_the_evidence(bright_spot_model):
    image = np.zeros((16, 16), np.float32)
    image[2:6, 3:7] = 1.0
    cam = explain.gradcam(bright_spot_model, image, class_index=0)
    assert cam.shape == (1, 16, 16)
    assert cam[0, 2:6, 3:7].min() == pytest.approx(1.0) and cam[0, 10:, 10:].max() == 0
    assert explain.gradcam(bright_spot_model, image, class_index=1).max() == 0  # no evidence
    assert explain.gradcam(bright_spot_model, image).shape == (1, 16, 16)  # predicted class


def test_gradcam_on_the_face_builders_any_batch_size():
    from utils.video.models import face_resnet, mini_xception

    faces = np.random.default_rng(0).uniform(0, 255, (3, 48, 48)).astype(np.float32)
    for model in (mini_xception(), face_resnet(widths=(8, 16, 32), stem=8)):
        for batch in (faces[:1], faces):  # odd batch sizes once crashed TensorFlow's oneDNN
            cam = explain.gradcam(model, batch, class_index=[3] * len(batch))
            assert cam.shape == (len(batch), 48, 48)
            assert cam.min() >= 0 and cam.max() <= 1
        assert explain.gradcam(model, faces, resize=False).shape[1:] == \
            tuple(model.get_layer("last_conv").output.shape[1:3])


def test_gradcam_on_sequences_and_windows():
    inputs = keras.Input((20, 8))
    hidden = keras.layers.Conv1D(4, 3, padding="same")(inputs)
    outputs = keras.layers.Dense(3, activation="softmax")(keras.layers.GlobalAveragePooling1D()(hidden))
    text_like = keras.Model(inputs, outputs)
    assert explain.gradcam(text_like, np.random.rand(2, 20, 8)).shape == (2, 20)

    inputs = keras.Input((4, 16, 12, 1))  # time-distributed windows of a spectrogram
    hidden = keras.layers.TimeDistributed(keras.layers.Conv2D(4, 3, padding="same"), name="conv")(inputs)
    pooled = keras.layers.GlobalAveragePooling3D()(hidden)
    windows = keras.Model(inputs, keras.layers.Dense(8, activation="softmax")(pooled))
    assert explain.gradcam(windows, np.random.rand(2, 4, 16, 12, 1), layer="conv").shape == (2, 4, 16, 12)


def test_gradcam_rejects_bad_requests(bright_spot_model):
    image = np.zeros((1, 16, 16, 1), np.float32)
    with pytest.raises(ValueError, match="class_index"):
        explain.gradcam(bright_spot_model, image, class_index=5)
    with pytest.raises(ValueError, match="do not fit"):
        explain.gradcam(bright_spot_model, np.zeros((1, 20, 20, 1)))
    dense = keras.Sequential([keras.Input((5,)), keras.layers.Dense(2, activation="softmax")])
    with pytest.raises(ValueError, match="positions"):
        explain.gradcam(dense, np.zeros((1, 5)))


def test_saliency_and_overlay(bright_spot_model):
    image = np.random.default_rng(0).uniform(0, 1, (16, 16)).astype(np.float32)
    sal = explain.saliency(bright_spot_model, image, class_index=0)
    assert sal.shape == (1, 16, 16) and sal.max() == pytest.approx(1.0)
    assert np.allclose(sal, sal.max())  # every pixel counts the same for a mean
    cam = explain.gradcam(bright_spot_model, image, class_index=0)[0]
    shown = explain.overlay_heatmap((image * 255).astype(np.uint8), cam)
    assert shown.shape == (16, 16, 3) and 0 <= shown.min() and shown.max() <= 1
    with pytest.raises(ValueError, match="differ"):
        explain.overlay_heatmap(image, cam[:8])


def test_heatmap_colorbar_spans_zero_to_one():
    from matplotlib import pyplot as plt

    fig, axes = plt.subplots(1, 3)
    bar = explain.heatmap_colorbar(fig, axes)
    assert bar.mappable.norm.vmin == 0 and bar.mappable.norm.vmax == 1
    assert "Grad-CAM" in bar.ax.get_ylabel()
    plt.close(fig)
