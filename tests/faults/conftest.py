"""The landing tests' fixtures (a throwaway landing folder, quarantine and warehouse) for faults."""

from tests.landing.conftest import cfg  # noqa: F401 - re-exported fixture
