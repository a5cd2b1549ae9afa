"""The command-line surface (``ccsdesk``): headless commands over the core services."""
