"""The HTTP routers, one module per feature."""
