import pytest

from assistant.answers.library import Library
from tests.assistant.answers.fixtures import PROFILE, fourteenth_plan


@pytest.fixture(scope="module")
def lib() -> Library:
    return Library(fourteenth_plan(), PROFILE)  # type: ignore[arg-type]
