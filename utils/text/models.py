"""Keras builders of the text models (notebooks/01_text), one function per architecture.

Builders return uncompiled ``keras.Model`` objects so a notebook shows the compile and fit steps a
student changes. Each docstring names the architecture's source and its size in parameters. Every
embedding layer is named ``embedding`` (for word-level saliency, :func:`utils.explain.word_saliency`).
"""

from __future__ import annotations


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
    With the reference widths about 2.67M parameters besides the embedding (vocab_size x 300).
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
