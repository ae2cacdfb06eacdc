"""English names that :mod:`dlviz.core` defines and the UI shows, marked for lupdate.

The core is Qt-free, so its tables (optimizer names, ...) cannot mark their
texts; this module repeats them inside ``QT_TRANSLATE_NOOP`` so that they
reach the catalogue, and the UI shows ``translate(context, core_text)``.
``tests/ui/test_translations.py`` holds these lists to the core's tables: a
name added there without a line here fails it.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from dlviz.ui.i18n import translate

#: dlviz.core.optim.OPTIMIZER_LABELS's values.
OPTIMIZERS = (
    QT_TRANSLATE_NOOP("optimizers", "Gradient descent (full batch)"),
    QT_TRANSLATE_NOOP("optimizers", "SGD (mini-batch)"),
    QT_TRANSLATE_NOOP("optimizers", "Momentum"),
    QT_TRANSLATE_NOOP("optimizers", "Nesterov momentum"),
    QT_TRANSLATE_NOOP("optimizers", "AdaGrad"),
    QT_TRANSLATE_NOOP("optimizers", "RMSprop"),
    QT_TRANSLATE_NOOP("optimizers", "Adam"),
    QT_TRANSLATE_NOOP("optimizers", "AdamW"),
)


def optimizer_label(name: str) -> str:
    from dlviz.core.optim import OPTIMIZER_LABELS

    return translate("optimizers", OPTIMIZER_LABELS[name])


#: dlviz.core.colors.OKABE_ITO_NAMES (the class colours' names).
COLOURS = (
    QT_TRANSLATE_NOOP("colours", "orange"),
    QT_TRANSLATE_NOOP("colours", "sky blue"),
    QT_TRANSLATE_NOOP("colours", "bluish green"),
    QT_TRANSLATE_NOOP("colours", "yellow"),
    QT_TRANSLATE_NOOP("colours", "blue"),
    QT_TRANSLATE_NOOP("colours", "vermillion"),
    QT_TRANSLATE_NOOP("colours", "reddish purple"),
    QT_TRANSLATE_NOOP("colours", "grey"),
)


def colour_name(index: int) -> str:
    from dlviz.core.colors import OKABE_ITO_NAMES

    return translate("colours", OKABE_ITO_NAMES[index])


#: The stages of dlviz.core.kernels.cpu.warm_up (the status bar names the one compiling).
WARM_UP_STAGES = (
    QT_TRANSLATE_NOOP("warm-up", "training kernel"),
    QT_TRANSLATE_NOOP("warm-up", "prediction kernel"),
    QT_TRANSLATE_NOOP("warm-up", "boundary picture kernel"),
    QT_TRANSLATE_NOOP("warm-up", "activation kernel"),
    QT_TRANSLATE_NOOP("warm-up", "ready"),
)


#: dlviz.core.activations.HIDDEN's labels (the Network panel's activation menu).
ACTIVATIONS = (
    QT_TRANSLATE_NOOP("activations", "Linear"),
    QT_TRANSLATE_NOOP("activations", "Sigmoid"),
    QT_TRANSLATE_NOOP("activations", "Tanh"),
    QT_TRANSLATE_NOOP("activations", "ReLU"),
    QT_TRANSLATE_NOOP("activations", "Leaky ReLU"),
    QT_TRANSLATE_NOOP("activations", "ELU"),
    QT_TRANSLATE_NOOP("activations", "GELU"),
)


def activation_label(label: str) -> str:
    return translate("activations", label)


#: dlviz.core.landscape's slice axis names (the landscape view's axes; "w", "b" stay).
LANDSCAPE_AXES = (
    QT_TRANSLATE_NOOP("landscape", "direction 1"),
    QT_TRANSLATE_NOOP("landscape", "direction 2"),
    QT_TRANSLATE_NOOP("landscape", "path direction 1"),
    QT_TRANSLATE_NOOP("landscape", "path direction 2"),
)


#: dlviz.core.export.EXPORT_FORMATS's labels (File ▸ Export weights' file types).
EXPORT_LABELS = (
    QT_TRANSLATE_NOOP("formats", "ONNX model"),
    QT_TRANSLATE_NOOP("formats", "NumPy weights"),
    QT_TRANSLATE_NOOP("formats", "JSON weights"),
    QT_TRANSLATE_NOOP("formats", "safetensors"),
    QT_TRANSLATE_NOOP("formats", "PyTorch code"),
    QT_TRANSLATE_NOOP("formats", "NumPy code"),
)
