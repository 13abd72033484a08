"""The hosted checkout's HTTP side: what the browser SDK calls (issue 6, DESIGN.md layout)."""
