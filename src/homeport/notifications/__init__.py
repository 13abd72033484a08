"""Notifications PGs send to homeport (KCP's common notification, kcp.md §9)."""
