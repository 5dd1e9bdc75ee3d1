"""`sitegen serve`: the live-reload dev server (see server.py for how the parts fit)."""

from sitegen.serve.server import DevServer, Rebuild, Rebuilt, dev_server, make_rebuild, run, site_inputs

__all__ = ["DevServer", "Rebuild", "Rebuilt", "dev_server", "make_rebuild", "run", "site_inputs"]
