"""The PySide6 window: a thin layer that calls one core service per user action.

Nothing here holds business rules or SQL; screens gather input, run the service (off the GUI
thread when it can take time) and show the result or the core's refusal.
"""
