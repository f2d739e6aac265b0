"""The staff side: the web console under /staff and the REST API under /api/v1."""
