"""Pure business rules: no HTTP, no SQL, no environment, no wall clock."""
