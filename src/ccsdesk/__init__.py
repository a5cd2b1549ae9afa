"""CCS Desk: the secretariat of a Malian Comité consultatif de sécurité.

The package is split so that the layers stay visible: ``ccsdesk.core`` holds the model,
storage, services, documents, exchange and locale and never imports Qt; ``ccsdesk.cli`` and
``ccsdesk.gui`` are two thin surfaces over the same services.
"""

__version__ = "0.1.0"
