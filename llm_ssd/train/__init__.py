"""Training and evaluation of SoundAQnet on ARAUS with the authors' split and labels.

`labels` reads and writes the authors' split files, `cache` fills the feature cache with the
inference pipeline's features, `fit` trains, `evaluate` and `metrics` give the paper's metrics.
The network and the features are those of the analysis core: nothing here has a copy of them.

May import: errors, labels, env, audio, loudness, model, torch."""
