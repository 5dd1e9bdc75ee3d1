"""sitegen: a static site generator for right-to-left (Arabic-first) news digests."""

__version__ = "0.1.0"
