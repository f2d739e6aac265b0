"""Console pages, one module (and blueprint) per part of the console."""
