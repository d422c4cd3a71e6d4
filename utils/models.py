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
