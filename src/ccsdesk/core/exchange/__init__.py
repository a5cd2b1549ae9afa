"""Exchange: keys, identities, signatures, archives and transport between committees."""

# The one file extension of exchange archives: the program writes it, the Windows installer
# registers it (a double-click opens the import), the window accepts it when dropped.
ARCHIVE_SUFFIX = ".ccsa"
