"""Print-ready PDFs in the Malian administrative layout (no Qt; ReportLab loaded lazily)."""
