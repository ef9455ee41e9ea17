"""docs/security.md lists every pinned dependency, so none is there without a stated reason."""

import json
import re
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)


def _pinned():
    names = []
    for requirements in ("requirements.txt", "requirements-dev.txt"):
        for line in (BASE / requirements).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-"):
                names.append(re.split(r"[\[=<>~!]", line)[0])
    names += json.loads((BASE / "package.json").read_text()).get("dependencies", {})
    return names


def test_every_pinned_dependency_is_listed_with_a_reason():
    doc = (BASE / "docs" / "security.md").read_text().lower()
    listed = set(re.findall(r"^\| ([\w.\-\[\]]+) \| \S", doc, flags=re.M))
    names = {re.sub(r"\[.*\]", "", n) for n in listed}
    missing = [name for name in _pinned() if name.lower() not in names]
    assert not missing, f"add these to docs/security.md: {missing}"
    assert len(_pinned()) >= 20
