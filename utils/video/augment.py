"""Training-time augmentation of the face models.

:func:`augment_faces` works with TensorFlow ops on a batch, so it runs inside a ``tf.data``
pipeline (:func:`utils.video.train.face_batches`).
"""

from __future__ import annotations

import math


def augment_faces(images, max_rotation: float = 10.0, max_zoom: float = 0.1,
                  max_shift: float = 0.1, contrast: float = 0.2, brightness: float = 20.0,
                  erase_probability: float = 0.25, seed: int | None = None):
    """Randomly flip, rotate, zoom, shift, recolour and partly erase a batch of faces.

    ``images`` is a float tensor ``(batch, height, width, 1)`` of pixel values in 0-255 (the
    models rescale inside). Rotation is in degrees, zoom and shift are fractions of the image
    size, ``brightness`` is in pixel values. Random erasing (Zhong et al., 2020) hides one
    rectangle of 2-20% of the image with noise in a quarter of the faces, so the model cannot rely on
    one region only (a mouth, one eye). Returns a tensor of the same shape, still in 0-255.
    """
    import tensorflow as tf

    images = tf.convert_to_tensor(images, tf.float32)
    rng = tf.random.Generator.from_seed(seed) if seed is not None else tf.random.get_global_generator()
    shape = tf.shape(images)
    batch, height, width = shape[0], shape[1], shape[2]
    h, w = tf.cast(height, tf.float32), tf.cast(width, tf.float32)

    flip = rng.uniform([batch]) < 0.5
    images = tf.where(flip[:, None, None, None], tf.reverse(images, axis=[2]), images)

    # Affine transform as the 8 parameters ImageProjectiveTransformV3 reads: they map each
    # output pixel (x, y) to the input pixel it samples.
    angle = rng.uniform([batch], -max_rotation, max_rotation) * (math.pi / 180.0)
    scale = rng.uniform([batch], 1.0 - max_zoom, 1.0 + max_zoom)
    tx = rng.uniform([batch], -max_shift, max_shift) * w
    ty = rng.uniform([batch], -max_shift, max_shift) * h
    cx, cy = (w - 1.0) / 2.0, (h - 1.0) / 2.0
    a0, a1 = tf.cos(angle) / scale, -tf.sin(angle) / scale
    b0, b1 = tf.sin(angle) / scale, tf.cos(angle) / scale
    a2 = cx - a0 * cx - a1 * cy + tx
    b2 = cy - b0 * cx - b1 * cy + ty
    zeros = tf.zeros([batch])
    transforms = tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)
    images = tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms, output_shape=tf.stack([height, width]),
        fill_value=0.0, interpolation="BILINEAR", fill_mode="REFLECT")

    mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
    gain = rng.uniform([batch, 1, 1, 1], 1.0 - contrast, 1.0 + contrast)
    offset = rng.uniform([batch, 1, 1, 1], -brightness, brightness)
    images = tf.clip_by_value((images - mean) * gain + mean + offset, 0.0, 255.0)

    if erase_probability > 0:
        area = rng.uniform([batch], 0.02, 0.2) * h * w
        aspect = tf.exp(rng.uniform([batch], math.log(0.3), math.log(3.3)))
        eh = tf.minimum(tf.sqrt(area * aspect), h)
        ew = tf.minimum(tf.sqrt(area / aspect), w)
        y0 = rng.uniform([batch]) * (h - eh)
        x0 = rng.uniform([batch]) * (w - ew)
        rows = tf.range(h)[None, :]
        cols = tf.range(w)[None, :]
        in_rows = (rows >= y0[:, None]) & (rows < (y0 + eh)[:, None])
        in_cols = (cols >= x0[:, None]) & (cols < (x0 + ew)[:, None])
        erase = in_rows[:, :, None] & in_cols[:, None, :]
        erase &= (rng.uniform([batch]) < erase_probability)[:, None, None]
        noise = rng.uniform(tf.shape(images), 0.0, 255.0)
        images = tf.where(erase[..., None], noise, images)
    return images
