"""Getting involved (JOIN)."""
