"""HLO op families; importing a module registers its ops (see `registry.py`)."""
