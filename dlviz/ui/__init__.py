"""The desktop app (PySide6 + pyqtgraph): windows, panels, views and the training worker.

Nothing in ``dlviz.core`` imports from here; this package only observes the
core's objects (datasets, specs, snapshots) and sends it commands.
"""
