"""Renderers: every artefact of a run is drawn from the one computed Context."""
