"""Why did the model say that? Grad-CAM and input saliency for any Keras model.

- :func:`gradcam` (Selvaraju et al., 2017): the gradient of a class score with respect to a
  convolutional layer's feature maps, averaged over positions, weights those maps; their weighted
  sum, rectified, shows where in the input the evidence for that class lies. It works on any
  layer whose output keeps positions: images ``(h, w, channels)``, spectrograms, time-distributed
  windows ``(windows, h, w, channels)``, or token sequences ``(steps, channels)`` of a Conv1D.
- :func:`saliency`: the gradient of the class score with respect to the input itself.
- :func:`overlay_heatmap`: a heat map over a grayscale or colour image, for plotting.

The class score is the logit (the input of a final softmax) when the model ends in a softmax
activation layer, as the course's builders do; otherwise the model's output.
"""

from __future__ import annotations

import numpy as np


def default_layer(model) -> str:
    """Name of the layer Grad-CAM uses by default: ``last_conv`` if there is one, else the last
    layer whose output still has positions (rank 3 or more, batch included)."""
    names = [layer.name for layer in model.layers]
    if "last_conv" in names:
        return "last_conv"
    for layer in reversed(model.layers):
        shape = getattr(layer, "output", None)
        shape = getattr(shape, "shape", None)
        if shape is not None and len(shape) >= 3 and not layer.name.startswith("input"):
            return layer.name
    raise ValueError(f"model {model.name!r} has no layer with spatial or temporal positions for "
                     f"Grad-CAM; pass layer=... explicitly")


def _score_model(model, layer_name: str | None):
    """A model returning (feature maps or None, class scores) for the same inputs."""
    import keras

    last = model.layers[-1]
    scores = model.output
    if isinstance(last, keras.layers.Activation) and \
            getattr(last.activation, "__name__", "") == "softmax":
        scores = last.input  # logits: Grad-CAM's class score before the softmax
    outputs = [scores] if layer_name is None else [model.get_layer(layer_name).output, scores]
    return keras.Model(model.inputs, outputs)


def _as_batch(inputs, model) -> np.ndarray:
    """``inputs`` as a float32 batch of the model's input rank: adds a missing batch axis (one
    example) and a missing trailing channel axis of size 1."""
    x = np.asarray(inputs, np.float32)
    want = tuple(model.inputs[0].shape)[1:]  # without the batch axis

    def fits(shape) -> bool:
        return len(shape) == len(want) and all(w is None or w == s for w, s in zip(want, shape))

    for candidate in (x, x[None], x[..., None], x[None, ..., None]):
        if fits(candidate.shape[1:]) if candidate.ndim else False:
            return candidate
    raise ValueError(f"inputs of shape {x.shape} do not fit the model's input {(None, *want)}")


def _class_indices(scores, class_index, n: int) -> np.ndarray:
    if class_index is None:
        return np.argmax(scores, axis=-1)
    indices = np.broadcast_to(np.asarray(class_index, np.int64), (n,))
    if (indices < 0).any() or (indices >= scores.shape[-1]).any():
        raise ValueError(f"class_index {class_index} outside 0..{scores.shape[-1] - 1}")
    return indices


def gradcam(model, inputs, class_index=None, layer: str | None = None,
            resize: bool = True) -> np.ndarray:
    """Grad-CAM heat maps in [0, 1], one per input, for ``class_index`` (default: the predicted class).

    ``inputs`` is a batch in the model's input shape (a single example, or one missing the
    trailing channel axis, is accepted). ``class_index`` is an int or one int per input.
    ``layer`` names the convolutional layer (default :func:`default_layer`). Returns the maps in
    the layer's positions, ``(n, *positions)``; with ``resize`` 2-D maps are resized to the
    input's height and width (for overlays), and 1-D maps to the input's length.
    """
    import tensorflow as tf

    x = _as_batch(inputs, model)
    layer = layer or default_layer(model)
    probe = _score_model(model, layer)
    x_tensor = tf.constant(x)
    with tf.GradientTape() as tape:
        maps, scores = probe(x_tensor, training=False)
        maps, scores = tf.cast(maps, tf.float32), tf.cast(scores, tf.float32)
        indices = _class_indices(scores.numpy(), class_index, len(x))
        chosen = tf.gather(scores, indices, axis=1, batch_dims=1)
    grads = tape.gradient(chosen, maps)
    if grads is None:
        raise ValueError(f"layer {layer!r} does not lead to the model's output")
    position_axes = list(range(1, len(maps.shape) - 1))
    weights = tf.reduce_mean(grads, axis=position_axes, keepdims=True)
    cam = tf.nn.relu(tf.reduce_sum(weights * maps, axis=-1)).numpy()
    peak = cam.reshape(len(cam), -1).max(axis=1)
    cam = cam / np.where(peak > 0, peak, 1.0).reshape((-1,) + (1,) * (cam.ndim - 1))
    if resize and cam.ndim == 3 and x.ndim == 4:
        cam = tf.image.resize(cam[..., None], x.shape[1:3], method="bilinear").numpy()[..., 0]
    elif resize and cam.ndim == 2 and x.ndim == 3 and cam.shape[1] != x.shape[1]:
        grid = np.linspace(0, cam.shape[1] - 1, x.shape[1])
        cam = np.stack([np.interp(grid, np.arange(cam.shape[1]), row) for row in cam])
    return np.clip(cam, 0.0, 1.0).astype(np.float32)


def saliency(model, inputs, class_index=None) -> np.ndarray:
    """Absolute gradient of the class score with respect to each input value, scaled to [0, 1].

    Same conventions as :func:`gradcam`; the channel axis is reduced by its maximum for inputs
    with a trailing channel axis of rank 4 or more. Returns ``(n, *input positions)``.
    """
    import tensorflow as tf

    x = tf.constant(_as_batch(inputs, model))
    probe = _score_model(model, None)
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = tf.cast(probe(x, training=False), tf.float32)
        indices = _class_indices(scores.numpy(), class_index, x.shape[0])
        chosen = tf.gather(scores, indices, axis=1, batch_dims=1)
    grads = tf.abs(tape.gradient(chosen, x)).numpy()
    if grads.ndim >= 4:
        grads = grads.max(axis=-1)
    peak = grads.reshape(len(grads), -1).max(axis=1)
    return (grads / np.where(peak > 0, peak, 1.0).reshape((-1,) + (1,) * (grads.ndim - 1))
            ).astype(np.float32)


def overlay_heatmap(image, heatmap, alpha: float = 0.4, cmap: str = "jet") -> np.ndarray:
    """An RGB float image in [0, 1]: ``image`` (grayscale or RGB, uint8 or [0, 1]) under a heat map.

    ``heatmap`` in [0, 1] must have the image's height and width (``gradcam(..., resize=True)``).
    """
    from matplotlib import colormaps

    image = np.asarray(image, np.float32)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.max() > 1.0:
        image = image / 255.0
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    heatmap = np.asarray(heatmap, np.float32)
    if heatmap.shape != image.shape[:2]:
        raise ValueError(f"heat map {heatmap.shape} and image {image.shape[:2]} differ in size")
    colours = colormaps[cmap](np.clip(heatmap, 0, 1))[..., :3]
    return np.clip((1 - alpha) * image + alpha * colours, 0.0, 1.0)


def heatmap_colorbar(fig, axes, cmap: str = "jet", label: str = "Grad-CAM: share of the strongest evidence"):
    """A colour bar for heat maps drawn by :func:`overlay_heatmap` (values 0 to 1) beside ``axes``."""
    from matplotlib import cm, colors

    mappable = cm.ScalarMappable(norm=colors.Normalize(0, 1), cmap=cmap)
    return fig.colorbar(mappable, ax=axes, fraction=0.02, pad=0.01, label=label)


# --- text: word-level saliency (notebooks/01_text) ---------------------------------------------
def word_saliency(model, token_ids, output_index: int, embedding_layer: str = "embedding"):
    """Signed contribution of each token position to one output, by gradient x input.

    ``token_ids`` is one padded index sequence (shape (max_len,)). The gradient of output
    ``output_index`` (a class probability or one trait's sigmoid) with respect to the embedding
    layer's output, multiplied by that output and summed over the embedding dimensions, gives one
    number per position: positive pushed the output up, negative pushed it down. Padding gets 0.
    Works for models whose layers after ``embedding_layer`` form a single chain (the course's
    text models). Returns a float array of shape (max_len,).
    """
    import numpy as np
    import tensorflow as tf

    import inspect

    ids = np.asarray(token_ids, dtype="int32").reshape(1, -1)
    embedding = model.get_layer(embedding_layer)
    after = model.layers[model.layers.index(embedding) + 1:]
    vectors = tf.convert_to_tensor(embedding(ids))
    # an embedding with mask_zero hides padding from the layers that accept a mask (pooling, RNNs)
    mask = embedding.compute_mask(ids) if getattr(embedding, "mask_zero", False) else None
    with tf.GradientTape() as tape:
        tape.watch(vectors)
        x = vectors
        for layer in after:
            kwargs = {}
            if mask is not None and len(x.shape) == 3 and \
                    "mask" in inspect.signature(layer.call).parameters:
                kwargs["mask"] = mask
            x = layer(x, training=False, **kwargs)
        target = x[:, output_index]
    grads = tape.gradient(target, vectors)
    scores = tf.reduce_sum(grads * vectors, axis=-1).numpy()[0]
    scores[ids[0] == 0] = 0.0
    return scores


def plot_word_saliency(words, scores, title: str, ax=None, per_line: int = 12, vmax=None):
    """The words in reading order, each on a background coloured by its saliency score.

    Red pushed the output up, blue pushed it down, white did little; ``vmax`` fixes the colour
    scale (default: the largest absolute score). Returns the figure.
    """
    import numpy as np
    from matplotlib import pyplot as plt

    words, scores = list(words), np.asarray(scores, dtype=float)[:len(words)]
    if not words:
        raise ValueError("no words to draw")
    vmax = float(vmax or np.abs(scores).max() or 1.0)
    lines = [list(range(i, min(i + per_line, len(words)))) for i in range(0, len(words), per_line)]
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 0.45 * len(lines) + 1.0))
    cmap = plt.get_cmap("coolwarm")
    for row, line in enumerate(lines):
        x = 0.0
        for i in line:
            colour = cmap(0.5 + 0.5 * np.clip(scores[i] / vmax, -1, 1))
            ax.text(x, -row, words[i], fontsize=10, va="center", ha="left", family="monospace",
                    bbox={"facecolor": colour, "edgecolor": "none", "pad": 2})
            x += len(words[i]) + 1.5
    ax.set_xlim(-0.5, max(sum(len(words[i]) + 1.5 for i in line) for line in lines) + 0.5)
    ax.set_ylim(-len(lines) + 0.5, 0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("preprocessed words in reading order (red: pushed the output up, blue: down)")
    ax.set_ylabel("line")
    ax.set_title(title)
    scale = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(-vmax, vmax))
    ax.figure.colorbar(scale, ax=ax, fraction=0.03, label="gradient x input")
    return ax.figure
