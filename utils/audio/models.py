"""The speech models, unfitted: two Keras networks and two scikit-learn pipelines.

Builders return uncompiled ``keras.Model`` objects so the notebook shows the compile and fit steps
a student changes; each docstring names the architecture and its size in parameters. The
pipelines are the classical models: :func:`speech_svm` (the baseline) and :func:`speech_logreg`
(the linear model).
"""

from __future__ import annotations


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
    Input (windows, frames, mels, 1) as :func:`utils.audio.features.clip_windows` makes it; the last
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
    :func:`utils.audio.features.utterance_log_mel` makes it; the last block's activation is
    named ``block4_relu``, the layer Grad-CAM explains.
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


def speech_logreg(c: float = 0.01):
    """Standardised :func:`utils.audio.features.speech_features` into a multinomial logistic
    regression with balanced class weights (scikit-learn pipeline, unfitted). ``c`` is the
    inverse L2 strength: with 592 features and under a thousand clips, strong regularisation
    (0.01) generalises to new voices best in grouped cross-validation over the training actors."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000,
                                                              class_weight="balanced"))


def speech_svm(c: float = 1.0):
    """The baseline: standardised utterance statistics
    (:func:`utils.audio.features.utterance_features`) into an RBF SVM with balanced class weights
    (scikit-learn pipeline, unfitted)."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    return make_pipeline(StandardScaler(), SVC(C=c, gamma="scale", class_weight="balanced"))
