"""Keras model builders for the course, one function per architecture.

Builders return uncompiled ``keras.Model`` objects so a notebook shows the compile and fit steps a
student changes. Each docstring names the architecture's source and its size in parameters.
"""

from __future__ import annotations


# --- speech (notebooks/02_audio) ---------------------------------------------------------------
def speech_cnn_lstm(n_classes: int = 8, windows: int = 5, frames: int = 100, mels: int = 48,
                    filters: tuple[int, ...] = (16, 32, 64, 64), lstm_units: tuple[int, int] = (64, 32),
                    dropout: float = 0.3):
    """Time-distributed CNN + LSTM over rolling log-mel windows (speech emotion, RAVDESS).

    The architecture of the multimodal emotion-recognition project the course follows: each
    window of the log-mel spectrogram, shape (frames, mels, 1), goes through the same four local
    feature learning blocks (LFLB: 3x3 conv, batch norm, ELU, 2x2 max-pool; the first block
    halves the resolution with a stride-2 convolution instead of a pool); the sequence of
    window embeddings goes through two LSTM layers, then a softmax. Shrunk for a CPU (48 mels,
    16-64 filters instead of 128 mels and 64-128): about 0.4M parameters with the defaults.
    Input (windows, frames, mels, 1) as :func:`utils.audio.clip_windows` makes it; the last
    block's activation is named ``lflb4_elu``, the layer Grad-CAM explains.
    """
    import keras
    from keras import layers

    inputs = keras.Input((windows, frames, mels, 1), name="log_mel_windows")
    x = inputs
    for i, width in enumerate(filters, start=1):
        stride = 2 if i == 1 else 1  # the first block downsamples by its stride: 3x cheaper on a CPU
        x = layers.TimeDistributed(layers.Conv2D(width, 3, strides=stride, padding="same"),
                                   name=f"lflb{i}_conv")(x)
        # momentum 0.9: with ~30 batches an epoch the default 0.99 lags for many epochs
        x = layers.BatchNormalization(momentum=0.9, name=f"lflb{i}_bn")(x)
        x = layers.Activation("elu", name=f"lflb{i}_elu")(x)
        if stride == 1:
            x = layers.TimeDistributed(layers.MaxPooling2D(2), name=f"lflb{i}_pool")(x)
    x = layers.TimeDistributed(layers.Flatten(), name="window_embedding")(x)
    x = layers.Dropout(dropout, name="embedding_dropout")(x)
    x = layers.LSTM(lstm_units[0], return_sequences=True, name="lstm1")(x)
    x = layers.LSTM(lstm_units[1], name="lstm2")(x)
    x = layers.Dropout(dropout, name="head_dropout")(x)
    x = layers.Dense(n_classes, name="logits")(x)
    outputs = layers.Activation("softmax", name="emotion")(x)  # separate, so Grad-CAM sees logits
    return keras.Model(inputs, outputs, name="speech_cnn_lstm")


def speech_utterance_cnn(n_classes: int = 8, frames: int = 300, mels: int = 48,
                         filters: tuple[int, ...] = (24, 48, 96, 128), dropout: float = 0.4):
    """A 2-D CNN over the whole 3-s log-mel spectrogram, pooled over time (speech emotion).

    Four blocks of 3x3 conv, batch norm and ReLU, each followed by a max-pool (2x2; the last one
    pools frequency only); the mel bands left are averaged, then statistics pooling over time
    (the mean and the maximum of each channel) gives one vector per utterance, so the network
    sees the utterance at once rather than as a sequence of windows; dropout and an
    L2-regularised softmax. About 0.2M parameters with the defaults. Input (frames, mels, 1) as
    :func:`utils.audio.utterance_log_mel` makes it; the last block's activation is named
    ``block4_relu``, the layer Grad-CAM explains.
    """
    import keras
    from keras import layers

    inputs = keras.Input((frames, mels, 1), name="log_mel")
    x = inputs
    for i, width in enumerate(filters, start=1):
        x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"block{i}_conv")(x)
        x = layers.BatchNormalization(name=f"block{i}_bn")(x)
        x = layers.Activation("relu", name=f"block{i}_relu")(x)
        pool = (1, 2) if i == len(filters) else (2, 2)
        x = layers.MaxPooling2D(pool, name=f"block{i}_pool")(x)
    x = layers.AveragePooling2D((1, x.shape[2]), name="mean_over_bands")(x)
    x = layers.Reshape((x.shape[1], filters[-1]), name="sequence")(x)
    x = layers.Concatenate(name="statistics")([layers.GlobalAveragePooling1D(name="mean")(x),
                                               layers.GlobalMaxPooling1D(name="max")(x)])
    x = layers.Dropout(dropout, name="dropout")(x)
    x = layers.Dense(n_classes, kernel_regularizer=keras.regularizers.l2(1e-3), name="logits")(x)
    outputs = layers.Activation("softmax", name="emotion")(x)
    return keras.Model(inputs, outputs, name="speech_utterance_cnn")


# --- face (notebooks/03_video) -----------------------------------------------------------------
def mini_xception(n_classes: int = 7, input_shape: tuple[int, int, int] = (48, 48, 1),
                  l2: float = 0.01, rescale: bool = True):
    """Mini-Xception (Arriaga, Valdenegro-Toro and Ploeger, 2017), the reference project's model.

    Two plain 3x3 convolutions (8 filters), then four residual modules of depthwise-separable
    convolutions (16, 32, 64, 128 filters; each halves the resolution with a max-pool, and a 1x1
    strided convolution carries the shortcut), then a 3x3 convolution to one map per class and
    global average pooling: about 58k parameters, L2-regularised kernels. Input: grayscale faces in
    pixel values 0-255 (``rescale=True`` maps them to [0, 1] inside the model). Output: class
    probabilities. The last convolution before the class maps is ``last_conv`` (for Grad-CAM).
    """
    import keras
    from keras import layers

    reg = keras.regularizers.l2(l2)
    inputs = keras.Input(input_shape, name="face")
    x = layers.Rescaling(1 / 255.0, name="rescale")(inputs) if rescale else inputs
    for i in range(2):
        x = layers.Conv2D(8, 3, use_bias=False, kernel_regularizer=reg, name=f"stem_conv{i + 1}")(x)
        x = layers.BatchNormalization(name=f"stem_bn{i + 1}")(x)
        x = layers.Activation("relu", name=f"stem_relu{i + 1}")(x)
    for width in (16, 32, 64, 128):
        # A 1x1 convolution with stride 2, written as subsampling then a 1x1 convolution (the
        # same function): TensorFlow 2.21's oneDNN kernels crash on the strided one's gradient
        # for odd batch sizes.
        shortcut = layers.MaxPooling2D(1, strides=2, padding="same", name=f"m{width}_subsample")(x)
        shortcut = layers.Conv2D(width, 1, use_bias=False, name=f"m{width}_shortcut")(shortcut)
        shortcut = layers.BatchNormalization(name=f"m{width}_shortcut_bn")(shortcut)
        x = layers.SeparableConv2D(width, 3, padding="same", use_bias=False,
                                   depthwise_regularizer=reg, pointwise_regularizer=reg,
                                   name=f"m{width}_sep1")(x)
        x = layers.BatchNormalization(name=f"m{width}_bn1")(x)
        x = layers.Activation("relu", name=f"m{width}_relu")(x)
        x = layers.SeparableConv2D(width, 3, padding="same", use_bias=False,
                                   depthwise_regularizer=reg, pointwise_regularizer=reg,
                                   name=f"m{width}_sep2")(x)
        x = layers.BatchNormalization(name=f"m{width}_bn2")(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"m{width}_pool")(x)
        x = layers.Add(name=f"m{width}_add")([x, shortcut])
    x = layers.Conv2D(n_classes, 3, padding="same", name="last_conv")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Activation("softmax", dtype="float32", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="mini_xception")


def face_resnet(n_classes: int = 7, input_shape: tuple[int, int, int] = (48, 48, 1),
                widths: tuple[int, ...] = (64, 128, 256), blocks: tuple[int, ...] = (1, 1, 1),
                stem: int = 32, dropout: float = 0.3):
    """A compact ResNet for 48x48 faces: the course's shipped face model.

    A 3x3 stem convolution at full resolution, a strided 3x3 convolution down to 24x24, then one
    stage of basic residual blocks (two 3x3 convolutions with batch norm, He et al. 2016) per
    width, each stage after the first halving the resolution (24 -> 12 -> 6); global average
    pooling, dropout and a softmax. With the defaults: about 1.25M parameters (5 MB) and 0.1
    GFLOP-MACs per face. The last residual block's output is ``last_conv`` (for Grad-CAM).
    Input: pixel values 0-255 (rescaled inside). Output: class probabilities.
    """
    import keras
    from keras import layers

    def conv_bn_relu(x, filters, stride, name):
        x = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False,
                          kernel_initializer="he_normal", name=f"{name}_conv")(x)
        x = layers.BatchNormalization(name=f"{name}_bn")(x)
        return layers.Activation("relu", name=f"{name}_relu")(x)

    def basic_block(x, filters, stride, name, last=False):
        y = conv_bn_relu(x, filters, stride, f"{name}_a")
        y = layers.Conv2D(filters, 3, padding="same", use_bias=False, kernel_initializer="he_normal",
                          name=f"{name}_b_conv")(y)
        y = layers.BatchNormalization(gamma_initializer="zeros", name=f"{name}_b_bn")(y)
        if stride != 1 or x.shape[-1] != filters:
            if stride != 1:  # subsample, then 1x1: a strided 1x1 conv, minus a oneDNN crash
                x = layers.MaxPooling2D(1, strides=stride, padding="same", name=f"{name}_subsample")(x)
            x = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_proj")(x)
            x = layers.BatchNormalization(name=f"{name}_proj_bn")(x)
        y = layers.Add(name=f"{name}_add")([x, y])
        return layers.Activation("relu", name="last_conv" if last else f"{name}_out")(y)

    inputs = keras.Input(input_shape, name="face")
    x = layers.Rescaling(1 / 255.0, name="rescale")(inputs)
    x = conv_bn_relu(x, stem, 1, "stem")
    x = conv_bn_relu(x, widths[0], 2, "down")
    for s, (width, n) in enumerate(zip(widths, blocks)):
        for b in range(n):
            last = s == len(widths) - 1 and b == n - 1
            x = basic_block(x, width, 2 if (b == 0 and s > 0) else 1, f"s{s + 1}b{b + 1}", last)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    x = layers.Dense(n_classes, name="logits")(x)
    outputs = layers.Activation("softmax", dtype="float32", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="face_resnet")
