"""Background work run inside ``homeport serve`` or as ``homeport worker`` (issue 7)."""
