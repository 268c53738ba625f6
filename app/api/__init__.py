"""The HTTP edge: routers, dependencies and error rendering."""
