"""The batch job: screen a whole catalog file into a verdict file, with workers."""
