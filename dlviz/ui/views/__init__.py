"""The live views, registered in one place.

Each view is a ``QWidget`` subclass of :class:`~dlviz.ui.views.base.View`
built as ``cls(session)``; it draws the newest snapshot in
``update_snapshot`` and skips the work while hidden (``is_active``).  The
main window turns every entry except the central one into a dock, and
``dlviz --screenshot FILE --view NAME`` renders any one of them alone.
A view's ``data_kinds`` says which data it is for ("points", "images"): the
pad, the weight images and the gallery are for images only.
"""

from __future__ import annotations

from dlviz.ui.views.activations import ActivationsView
from dlviz.ui.views.backprop import BackpropView
from dlviz.ui.views.base import View
from dlviz.ui.views.boundary import BoundaryView
from dlviz.ui.views.confusion import ConfusionView
from dlviz.ui.views.distributions import DistributionsView
from dlviz.ui.views.gallery import GalleryView
from dlviz.ui.views.hidden import HiddenSpaceView
from dlviz.ui.views.landscape import LandscapeView
from dlviz.ui.views.loss import LossView
from dlviz.ui.views.loss_functions import LossFunctionsView
from dlviz.ui.views.matrices import MatricesView
from dlviz.ui.views.network import NetworkView
from dlviz.ui.views.pad import PadView
from dlviz.ui.views.race import RaceView
from dlviz.ui.views.weight_images import WeightImagesView

#: name -> view class; the order is the order of the View menu.
VIEWS: dict[str, type[View]] = {
    "boundary": BoundaryView,
    "loss": LossView,
    "network": NetworkView,
    "matrices": MatricesView,
    "distributions": DistributionsView,
    "confusion": ConfusionView,
    "hidden-space": HiddenSpaceView,
    "activations": ActivationsView,
    "loss-functions": LossFunctionsView,
    "landscape": LandscapeView,
    "race": RaceView,
    "backprop": BackpropView,
    "pad": PadView,
    "weights": WeightImagesView,
    "gallery": GalleryView,
}
#: The view in the middle of the window (the dataset canvas with the boundary behind it).
CENTRAL_VIEW = "boundary"
#: The view in the middle of the window when the data are images (the drawing pad).
IMAGE_CENTRAL_VIEW = "pad"

__all__ = ["CENTRAL_VIEW", "IMAGE_CENTRAL_VIEW", "VIEWS", "View"]
