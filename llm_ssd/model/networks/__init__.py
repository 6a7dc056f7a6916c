"""The paper's seven other acoustic models (Table V), ported to plain PyTorch from the authors'
description of them: AD_CNN (`ad_cnn`), Baseline CNN (`baseline_cnn`, whose conv trunk the
Hierarchical CNN and the CNN-Transformer share), Hierarchical CNN (`hierarchical_cnn`),
MobileNetV2 (`mobilenetv2`), YAMNet (`yamnet`), CNN-Transformer (`cnn_transformer`) and PANNs'
CNN14 body (`panns`); the heads every network ends in (`heads`); one registry of all eight
networks with SoundAQnet (`registry`): each one's class and dimensions, inputs, accepted frame
lengths, published weights and published Table V metrics; and getting a network's weights into
the weights directory, verified (`fetch`).

Each network takes the normalised log-mel alone, (batch, frames, 64), and returns the same
outputs as SoundAQnet: a dict of raw scene and event logits, ISOP, ISOE and one tensor per PAQ,
keyed by the heads' names. Attribute names match the authors' state_dicts, unused layers
included, so that their checkpoints load strictly."""
