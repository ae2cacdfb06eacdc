"""The network a user builds: its spec, its flat parameter vector, its initialisers.

All parameters live in one float32 vector so a kernel can update them in one
loop and a snapshot can copy them in one call.  Layer ``l`` owns a weight
matrix ``W[l]`` of shape (fan_in, fan_out), stored row-major, followed by its
bias ``b[l]`` (fan_out,).  :class:`ParamLayout` gives the offsets and named
views.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from dlviz.core.activations import ACTIVATIONS
from dlviz.core.errors import DlvizError
from dlviz.core.features import CURVE_FEATURES, FEATURES, compute_features

LOSSES = ("mse", "bce", "ce")
OUTPUTS = ("identity", "sigmoid", "softmax")
INITS = ("xavier", "he", "uniform")

#: Integer codes the compiled kernels use (activations: :mod:`dlviz.core.activations`).
LOSS_CODE = {name: i for i, name in enumerate(LOSSES)}

MAX_HIDDEN_LAYERS = 10
MAX_WIDTH = 256
#: Dropout keeps a unit when the top 24 bits of its hash reach the rate's threshold.
DROPOUT_HASH_BITS = 24
#: Dropout's hash is SplitMix64 (Steele, Lea & Flood, 2014), the same in every engine:
#: keys step by the golden-ratio increment, and its finaliser is
#: ``z = (z ^ z >> s1) * MIX1; z = (z ^ z >> s2) * MIX2; z ^ z >> s3``.
DROPOUT_GOLDEN = 0x9E3779B97F4A7C15
DROPOUT_MIX1 = 0xBF58476D1CE4E5B9
DROPOUT_MIX2 = 0x94D049BB133111EB
#: The finaliser's shifts (s1, s2, s3).
DROPOUT_SHIFTS = (30, 27, 31)

Kind = Literal["classify", "regress", "curve"]


@dataclass(frozen=True)
class LayerSpec:
    """One hidden layer: how many neurons, which activation, what dropout rate."""

    width: int
    activation: str = "tanh"
    dropout: float = 0.0


@dataclass(frozen=True)
class NetworkSpec:
    """Inputs (feature names) -> hidden layers -> output activation + loss."""

    features: tuple[str, ...]
    hidden: tuple[LayerSpec, ...]
    n_outputs: int
    output: str
    loss: str
    init: str = "xavier"
    #: Inputs are mapped to ``(x - input_shift) / input_scale`` before features.
    input_shift: tuple[float, ...] = field(default=())
    input_scale: tuple[float, ...] = field(default=())
    #: Raw input columns each point has (x1, x2: 2; a curve's x: 1; an image's pixels:
    #: height × width), before features: what a file's normalisation and a predicted
    #: CSV's rows are checked against.
    n_inputs: int = 2
    #: (height, width) of image data, whose pixels are the inputs themselves (no feature
    #: map: ``features`` is empty); () for points, whose features are computed.
    image_shape: tuple[int, ...] = field(default=())

    def __post_init__(self) -> None:
        validate_spec(self)

    @property
    def is_image(self) -> bool:
        """Whether the network reads image pixels (rather than features of points)."""
        return bool(self.image_shape)

    @property
    def n_features(self) -> int:
        """Width of the first layer's input: the pixels of an image, else the features."""
        return self.n_inputs if self.is_image else len(self.features)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Neurons per layer, inputs first: e.g. (2, 8, 8, 1), (784, 128, 10)."""
        return (self.n_features, *(h.width for h in self.hidden), self.n_outputs)

    @property
    def n_layers(self) -> int:
        """Number of weight layers (hidden layers + output layer)."""
        return len(self.hidden) + 1

    @property
    def activations(self) -> tuple[str, ...]:
        """Activation of every weight layer's output; the last is the output activation."""
        return (*(h.activation for h in self.hidden), self.output)

    @property
    def dropouts(self) -> tuple[float, ...]:
        """Dropout rate applied to each weight layer's output (never to the output layer)."""
        return (*(h.dropout for h in self.hidden), 0.0)

    def same_shapes(self, other: NetworkSpec) -> bool:
        """True when weights of one spec fit the other (a non-structural change)."""
        return self.sizes == other.sizes

    def describe(self) -> str:
        """A one-line text such as ``2-8(tanh)-8(tanh)-1 sigmoid/bce``."""
        hidden = "-".join(f"{h.width}({h.activation})" for h in self.hidden)
        middle = f"-{hidden}-" if hidden else "-"
        return f"{self.n_features}{middle}{self.n_outputs} {self.output}/{self.loss}"

    def without_normalisation(self) -> NetworkSpec:
        """The same network taking raw inputs (what a user chose, before the data's fit)."""
        return replace(self, input_shift=(), input_scale=())

    def with_normalisation(self, shift: np.ndarray, scale: np.ndarray) -> NetworkSpec:
        return replace(
            self,
            input_shift=tuple(float(v) for v in shift),
            input_scale=tuple(float(v) for v in scale),
        )


def line_of(spec: NetworkSpec, params: np.ndarray) -> tuple[float, float] | None:
    """(slope, intercept) of a network that is the line y = w·x + b, in the raw x's units.

    That is a curve network (one raw input) with no hidden layer, the input itself as its
    only feature and an identity output; any other network gives None.  A normalised
    input is folded in: w·(x - shift)/scale + b = (w/scale)·x + (b - w·shift/scale).
    """
    if (
        spec.n_inputs != 1
        or spec.hidden
        or spec.features != ("x1",)
        or spec.n_outputs != 1
        or spec.output != "identity"
    ):
        return None
    w, b = float(params[0]), float(params[1])
    if spec.input_scale:
        shift, scale = spec.input_shift[0], spec.input_scale[0]
        w, b = w / scale, b - w * shift / scale
    return w, b


#: The app's networks have one output per class (up to 8 for points, 10 for images) or
#: one value; a network built in code may have a few more.  The bound keeps a damaged
#: file from asking for a huge network.
MAX_OUTPUTS = 16
#: Raw input columns of points: x1 and x2.
MAX_POINT_INPUTS = 2
#: Largest side of an image (MNIST's is 28, the UCI digits' 8).
MAX_IMAGE_SIDE = 64
#: Raw input columns of any network: a largest image's pixels.
MAX_INPUTS = MAX_IMAGE_SIDE * MAX_IMAGE_SIDE


def spec_features(spec: NetworkSpec, inputs: np.ndarray) -> np.ndarray:
    """Input features (float32) of raw input rows, normalised as the network expects.

    An image network's features are its pixels: without normalisation the rows
    themselves come back (no copy of a large image set when they are float32 already).
    """
    shift = np.array(spec.input_shift, np.float32) if spec.input_shift else None
    scale = np.array(spec.input_scale, np.float32) if spec.input_scale else None
    if spec.is_image:
        x = np.asarray(inputs, np.float32)
        if shift is not None and scale is not None:
            x = (x - shift) / scale
        return np.ascontiguousarray(x, dtype=np.float32)
    feats = compute_features(np.asarray(inputs, np.float32), spec.features, shift, scale)
    return np.ascontiguousarray(feats, dtype=np.float32)


def validate_spec(spec: NetworkSpec) -> None:
    """Raise :class:`DlvizError` naming what to change when a spec cannot be built."""
    _validate_inputs(spec)
    if len(set(spec.features)) != len(spec.features):
        raise DlvizError("each input feature can be used once")
    for name in spec.features:
        if name not in FEATURES:
            raise DlvizError(f"unknown input feature '{name}'; choose from {', '.join(FEATURES)}")
    if len(spec.hidden) > MAX_HIDDEN_LAYERS:
        raise DlvizError(
            f"{len(spec.hidden)} hidden layers is too many; dlviz allows 0 to {MAX_HIDDEN_LAYERS}"
        )
    for i, layer in enumerate(spec.hidden, start=1):
        if not 1 <= layer.width <= MAX_WIDTH:
            raise DlvizError(
                f"hidden layer {i} has {layer.width} neurons; use 1 to {MAX_WIDTH} per layer"
            )
        if layer.activation not in ACTIVATIONS:
            raise DlvizError(
                f"unknown activation '{layer.activation}'; choose from {', '.join(ACTIVATIONS)}"
            )
        if not 0.0 <= layer.dropout <= 0.9:  # the training panel's range too
            raise DlvizError(
                f"dropout of hidden layer {i} is {layer.dropout}; use a rate from 0 to 0.9"
            )
    if spec.output not in OUTPUTS:
        raise DlvizError(f"unknown output '{spec.output}'; choose from {', '.join(OUTPUTS)}")
    if spec.loss not in LOSSES:
        raise DlvizError(f"unknown loss '{spec.loss}'; choose from {', '.join(LOSSES)}")
    if spec.init not in INITS:
        raise DlvizError(f"unknown initialiser '{spec.init}'; choose from {', '.join(INITS)}")
    if not 1 <= spec.n_outputs <= MAX_OUTPUTS:
        raise DlvizError(f"the network needs 1 to {MAX_OUTPUTS} outputs, not {spec.n_outputs}")
    if spec.loss == "ce" and (spec.output != "softmax" or spec.n_outputs < 2):
        raise DlvizError("cross-entropy (ce) needs a softmax output with 2 or more classes")
    if spec.loss == "bce" and spec.output != "sigmoid":
        raise DlvizError("binary cross-entropy (bce) needs a sigmoid output")
    if spec.output == "softmax" and spec.loss != "ce":
        raise DlvizError("a softmax output is trained with cross-entropy (ce)")
    for what, values in (("shift", spec.input_shift), ("scale", spec.input_scale)):
        if len(values) not in (0, spec.n_inputs):
            raise DlvizError(
                f"input normalisation has {len(values)} {what}s for {spec.n_inputs} inputs; "
                "it needs one per input"
            )
    if len(spec.input_shift) != len(spec.input_scale):
        raise DlvizError("input normalisation needs one shift and one scale per input")
    if not all(math.isfinite(v) and abs(v) < 1e30 for v in spec.input_shift):
        raise DlvizError("input normalisation: every shift must be a finite number")
    if not all(math.isfinite(v) and 1e-30 < v < 1e30 for v in spec.input_scale):
        raise DlvizError("input normalisation: every scale must be a positive number")


def _validate_inputs(spec: NetworkSpec) -> None:
    """The raw inputs: 1 or 2 coordinates with named features, or an image's pixels."""
    if spec.is_image:
        shape = spec.image_shape
        if len(shape) != 2 or not all(
            not isinstance(v, bool) and isinstance(v, int) and 1 <= v <= MAX_IMAGE_SIDE
            for v in shape
        ):
            raise DlvizError(
                f"an image network needs a (height, width) of 1 to {MAX_IMAGE_SIDE} pixels "
                f"each, not {tuple(shape)}"
            )
        if spec.n_inputs != shape[0] * shape[1]:
            raise DlvizError(
                f"a {shape[0]}×{shape[1]} image network reads {shape[0] * shape[1]} pixels, "
                f"not {spec.n_inputs}"
            )
        if spec.features:
            raise DlvizError("an image network reads its pixels; it takes no input features")
        return
    if isinstance(spec.n_inputs, bool) or not 1 <= spec.n_inputs <= MAX_POINT_INPUTS:
        raise DlvizError(
            f"the network reads 1 to {MAX_POINT_INPUTS} raw inputs per point, not {spec.n_inputs}"
        )
    if not spec.features:
        raise DlvizError("the network needs at least one input feature (for example x1,x2)")
    needs_x2 = [name for name in spec.features if "x2" in name]
    if spec.n_inputs < 2 and needs_x2:
        raise DlvizError(
            f"feature {needs_x2[0]} needs 2 inputs; this network reads 1 (a curve's x)"
        )


def parse_hidden(
    widths: str, activations: str = "tanh", dropouts: str = "0"
) -> tuple[LayerSpec, ...]:
    """``--hidden 8,8 --activation relu,tanh --dropout 0.1`` -> layer specs.

    The one reading of these options, for ``dlviz train`` and the app alike:
    ``none`` (or empty, or 0) is no hidden layer; an activation or a dropout
    rate is given once for all layers or once per layer.
    """
    acts = [a.strip().lower() for a in activations.split(",") if a.strip()]
    for name in acts:
        if name not in ACTIVATIONS:
            raise DlvizError(f"unknown activation '{name}'; choose from {', '.join(ACTIVATIONS)}")
    text = widths.strip().lower()
    if text in ("", "none", "0"):
        return ()
    try:
        sizes = [int(w) for w in text.split(",")]
    except ValueError:
        raise DlvizError(f"--hidden '{widths}': give widths like 8,8 or 'none'") from None
    if len(sizes) > MAX_HIDDEN_LAYERS or not all(1 <= w <= MAX_WIDTH for w in sizes):
        raise DlvizError(
            f"--hidden '{widths}': up to {MAX_HIDDEN_LAYERS} layers of 1 to {MAX_WIDTH} neurons"
        )
    if len(acts) == 1:
        acts = acts * len(sizes)
    if len(acts) != len(sizes):
        raise DlvizError(
            f"--activation gives {len(acts)} activations for {len(sizes)} hidden layers; "
            "give one for all or one per layer"
        )
    try:
        rates = [float(r) for r in dropouts.split(",")]
    except ValueError:
        raise DlvizError(f"--dropout '{dropouts}': give a rate like 0.2") from None
    if len(rates) == 1:
        rates = rates * len(sizes)
    if len(rates) != len(sizes):
        raise DlvizError("--dropout: give one rate for all hidden layers or one per layer")
    return tuple(LayerSpec(w, a, r) for w, a, r in zip(sizes, acts, rates, strict=True))


def dropout_threshold(rate: float) -> int:
    """A unit is kept when its 24-bit hash is >= this threshold (every engine)."""
    return int(round(rate * (1 << DROPOUT_HASH_BITS)))


def default_loss(kind: Kind, n_classes: int) -> str:
    """The loss a user gets when they do not choose: bce for 2 classes, ce for more, else mse."""
    if kind != "classify":
        return "mse"
    return "bce" if n_classes <= 2 else "ce"


def build_spec(
    *,
    kind: Kind,
    n_classes: int,
    features: Sequence[str],
    hidden: Sequence[LayerSpec],
    loss: str | None = None,
    init: str = "xavier",
    output: str | None = None,
    image_shape: tuple[int, ...] = (),
) -> NetworkSpec:
    """Choose the output layer that fits the data and the loss, and check the combination.

    ``output`` picks the output activation of regression and curve data
    (``identity``, the default, or ``sigmoid`` for targets in [0, 1], as the
    textbook's 2-4-1 example fits them); classification derives it from the loss.
    With ``image_shape`` (height, width) the network reads that many pixels and
    ``features`` must be empty.
    """
    loss = loss or default_loss(kind, n_classes)
    if loss not in LOSSES:
        raise DlvizError(f"unknown loss '{loss}'; choose from {', '.join(LOSSES)}")
    if kind == "curve":
        bad = [f for f in features if f not in CURVE_FEATURES]
        if bad:
            raise DlvizError(
                f"1-D curve data has only x1; remove feature(s) {', '.join(bad)} "
                f"(usable: {', '.join(CURVE_FEATURES)})"
            )
    if kind == "classify":
        if output is not None and output != ("softmax" if loss == "ce" else "sigmoid"):
            raise DlvizError(
                f"output '{output}' does not fit loss '{loss}'; a classifier's output "
                "follows its loss (ce: softmax, bce or mse: sigmoid)"
            )
        if loss == "ce":
            n_out, output = n_classes, "softmax"
        else:  # bce or mse on a sigmoid: one output for 2 classes, one per class beyond
            n_out, output = (1 if n_classes <= 2 else n_classes), "sigmoid"
    else:
        if loss != "mse":
            raise DlvizError(
                f"loss '{loss}' is for classification; regression and curve data use mse"
            )
        if output not in (None, "identity", "sigmoid"):
            raise DlvizError(f"output '{output}' does not fit regression; use identity or sigmoid")
        n_out, output = 1, output or "identity"
    return NetworkSpec(
        features=tuple(features),
        hidden=tuple(hidden),
        n_outputs=n_out,
        output=output,
        loss=loss,
        init=init,
        n_inputs=(
            image_shape[0] * image_shape[1] if image_shape else (1 if kind == "curve" else 2)
        ),
        image_shape=tuple(image_shape),
    )


@dataclass(frozen=True)
class ParamLayout:
    """Where each layer's weights and bias live in the flat parameter vector."""

    sizes: tuple[int, ...]
    w_offsets: tuple[int, ...]
    b_offsets: tuple[int, ...]
    size: int

    @classmethod
    def of(cls, sizes: Sequence[int]) -> ParamLayout:
        w_off: list[int] = []
        b_off: list[int] = []
        pos = 0
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
            w_off.append(pos)
            pos += fan_in * fan_out
            b_off.append(pos)
            pos += fan_out
        return cls(tuple(sizes), tuple(w_off), tuple(b_off), pos)

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    def weight(self, flat: np.ndarray, layer: int) -> np.ndarray:
        """View of layer ``layer``'s weights, shape (fan_in, fan_out); writes go to ``flat``."""
        fi, fo = self.sizes[layer], self.sizes[layer + 1]
        o = self.w_offsets[layer]
        return flat[o : o + fi * fo].reshape(fi, fo)

    def bias(self, flat: np.ndarray, layer: int) -> np.ndarray:
        o = self.b_offsets[layer]
        return flat[o : o + self.sizes[layer + 1]]

    def weights_mask(self) -> np.ndarray:
        """1 where the flat vector holds a weight, 0 where a bias (L1/L2 skip biases)."""
        mask = np.zeros(self.size, dtype=np.float32)
        for layer in range(self.n_layers):
            fi, fo = self.sizes[layer], self.sizes[layer + 1]
            mask[self.w_offsets[layer] : self.w_offsets[layer] + fi * fo] = 1.0
        return mask

    def offsets_array(self) -> np.ndarray:
        """(n_layers, 4) int64 rows [fan_in, fan_out, w_offset, b_offset] for the kernels."""
        rows = [
            (self.sizes[i], self.sizes[i + 1], self.w_offsets[i], self.b_offsets[i])
            for i in range(self.n_layers)
        ]
        return np.array(rows, dtype=np.int64).reshape(self.n_layers, 4)


def init_params(spec: NetworkSpec, rng: np.random.Generator) -> np.ndarray:
    """Fresh float32 parameters: weights by the spec's initialiser, biases zero.

    Glorot/Xavier suits tanh and sigmoid, He suits the ReLU family; ``uniform``
    is the small U(-0.5, 0.5) of the textbook worked examples.
    """
    layout = ParamLayout.of(spec.sizes)
    flat = np.zeros(layout.size, dtype=np.float32)
    for layer in range(layout.n_layers):
        fi, fo = layout.sizes[layer], layout.sizes[layer + 1]
        if spec.init == "xavier":
            limit = np.sqrt(6.0 / (fi + fo))
            w = rng.uniform(-limit, limit, size=(fi, fo))
        elif spec.init == "he":
            w = rng.normal(0.0, np.sqrt(2.0 / fi), size=(fi, fo))
        else:
            w = rng.uniform(-0.5, 0.5, size=(fi, fo))
        layout.weight(flat, layer)[...] = w
    return flat
