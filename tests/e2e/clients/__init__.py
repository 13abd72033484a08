"""Real third-party i'mport clients against one live homeport (see conftest.py)."""

import pytest

# The helper modules assert on what the clients hand back; rewritten, their failures show diffs.
pytest.register_assert_rewrite("tests.e2e.clients.charges", "tests.e2e.clients.shop")
