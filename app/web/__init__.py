"""Flask blueprints, one per face; thin handlers that call one service each."""
