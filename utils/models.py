"""Keras model builders for the course, one function per architecture.

Builders return uncompiled ``keras.Model`` objects so a notebook shows the compile and fit steps a
student changes. Each docstring names the architecture's source and its size in parameters.
"""

from __future__ import annotations


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


# --- text (notebooks/01_text) ------------------------------------------------------------------
def _text_embedding(vocab_size: int, max_len: int, dim: int, weights=None):
    """Token indices -> a trainable embedding (initialised from Word2Vec when ``weights`` given)."""
    import keras
    from keras import layers

    inputs = keras.Input((max_len,), dtype="int32", name="tokens")
    layer = layers.Embedding(vocab_size, dim, name="embedding")
    x = layer(inputs)
    if weights is not None:  # set, not passed as an initializer: the saved config stays small
        layer.set_weights([weights])
    return inputs, x


def personality_cnn_lstm(vocab_size: int, max_len: int = 400, embedding=None, dim: int = 300,
                         filters: tuple[int, ...] = (128, 256, 512), kernel: int = 8,
                         dropout: float = 0.3, lstm_units: int = 180, lstm_layers: int = 3,
                         dense: int = 128, n_traits: int = 5):
    """Conv1D + LSTM personality model of the course's reference project (essays, Big Five).

    A trainable 300-d embedding (Word2Vec-initialised when ``embedding`` is given), then one block
    per entry of ``filters`` (Conv1D with kernel 8, max-pooling 2, spatial dropout 0.3, batch
    normalisation), ``lstm_layers`` stacked LSTM(180), Dense(128) and one sigmoid per trait.
    With the reference widths about 2.3M parameters besides the embedding (vocab_size x 300).
    The embedding layer is named ``embedding`` (for word-level saliency).
    """
    import keras
    from keras import layers

    inputs, x = _text_embedding(vocab_size, max_len, dim, embedding)
    for i, width in enumerate(filters, start=1):
        x = layers.Conv1D(width, kernel, padding="same", activation="relu", name=f"conv{i}")(x)
        x = layers.MaxPooling1D(2, name=f"pool{i}")(x)
        x = layers.SpatialDropout1D(dropout, name=f"spatial_dropout{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
    for i in range(1, lstm_layers + 1):
        x = layers.LSTM(lstm_units, return_sequences=i < lstm_layers, name=f"lstm{i}")(x)
    x = layers.Dense(dense, activation="relu", name="dense")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(n_traits, activation="sigmoid", name="traits")(x)
    return keras.Model(inputs, outputs, name="personality_cnn_lstm")


def text_emotion_bilstm(vocab_size: int, max_len: int = 40, embedding=None, dim: int = 300,
                        units: int = 64, dropout: float = 0.3, n_classes: int = 6):
    """Bidirectional LSTM over a Word2Vec-initialised embedding (text emotion, CARER).

    Embedding (trainable, 300-d), spatial dropout, a BiLSTM(64) returning its sequence, global
    max-pooling over time (the strongest evidence for each feature, wherever it sits in the
    sentence), dropout and a softmax: about 0.19M parameters besides the embedding. The
    embedding layer is named ``embedding`` (for word-level saliency).
    """
    import keras
    from keras import layers

    inputs, x = _text_embedding(vocab_size, max_len, dim, embedding)
    x = layers.SpatialDropout1D(dropout, name="spatial_dropout")(x)
    x = layers.Bidirectional(layers.LSTM(units, return_sequences=True), name="bilstm")(x)
    x = layers.GlobalMaxPooling1D(name="max_over_time")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="emotion")(x)
    return keras.Model(inputs, outputs, name="text_emotion_bilstm")


def personality_mean_embedding(vocab_size: int, max_len: int = 1000, embedding=None,
                               dim: int = 300, dropout: float = 0.5, n_traits: int = 5):
    """A neural bag of words for personality: the mean of the essay's word vectors, five sigmoids.

    The embedding (300-d, Word2Vec-initialised, trainable, index 0 masked as padding) is averaged
    over the essay's words; dropout 0.5 and one Dense sigmoid output per trait. Word order is
    ignored, which with about 1,600 training essays is an advantage: about 1,500 parameters
    besides the embedding. The embedding layer is named ``embedding`` (for word-level saliency).
    """
    import keras
    from keras import layers

    inputs = keras.Input((max_len,), dtype="int32", name="tokens")
    layer = layers.Embedding(vocab_size, dim, mask_zero=True, name="embedding")
    x = layer(inputs)
    if embedding is not None:
        layer.set_weights([embedding])
    x = layers.GlobalAveragePooling1D(name="mean_over_words")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(n_traits, activation="sigmoid", name="traits")(x)
    return keras.Model(inputs, outputs, name="personality_mean_embedding")
