"""The core of CCS Desk: model, storage, services, documents, exchange and locale.

Nothing below this package imports Qt, so every behaviour can be driven by the command line
and by tests without a screen.
"""
