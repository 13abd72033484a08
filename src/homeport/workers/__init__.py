"""Background work: tasks that each handle one bounded batch of due work per call, and the
loop that runs them (inside ``homeport serve`` or as ``homeport worker`` processes)."""
