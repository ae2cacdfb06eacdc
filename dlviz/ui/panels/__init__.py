"""The control panels: data, network and training settings (docks on the left and right)."""
