"""The promotion gate from the API: ``training.gate`` in a child process.

``api`` never imports ``training`` (``lint-imports``), and judging two versions fits
models for seconds to minutes, so the route runs ``python -m training.gate`` on the
store's outcomes (or, when the store holds none, on the candidate's recorded held-out
year) with this server's settings in the child's environment (the signing key and the
database URL never on its command line) and reads the one JSON object it prints: the
evidence to record, or why the promotion is refused.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from typing import Any, Final

from recommender import PromotionRefusedError, RecommenderError
from recommender.settings import Settings

log = logging.getLogger("recommender.promotion")
TIMEOUT_SECONDS: Final[float] = 1800.0


def gate_evidence(
    candidate: str, champion: str, *, settings: Settings, signing_key: str, force: bool
) -> dict[str, Any]:
    """What ``training.gate.decide`` returns, judged on the store's outcomes.

    Raises
    ------
    PromotionRefusedError
        The gate refuses (the message names both estimates and the interval, or what
        the data lacks), and ``force`` is not given.
    RecommenderError
        The child failed otherwise.
    """
    env = {
        **os.environ,
        "RECOMMENDER_MODELS_DIR": str(settings.models_dir),
        "RECOMMENDER_SIGNING_KEY": signing_key,  # the registry's, resolved from its file
        "RECOMMENDER_DATABASE_URL": settings.db_url,
        "RECOMMENDER_NUM_THREADS": str(max(1, settings.num_threads)),
        "RECOMMENDER_GATE_GROUP_MARGIN": str(settings.gate_group_margin),
    }
    command = [sys.executable, "-m", "training.gate", "--candidate", candidate]
    command += ["--champion", champion, *(["--force"] if force else [])]
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        raise RecommenderError(
            f"judging {candidate!r} against {champion!r} took over {TIMEOUT_SECONDS:.0f} s"
        ) from None
    lines = done.stdout.strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else {}
    except ValueError:
        answer = {}
    if "evidence" in answer:
        evidence: dict[str, Any] = answer["evidence"]
        if force and not evidence.get("accepted", False):
            log.warning("promotion of %s forced past the gate: %s", candidate, evidence)
        return evidence
    if "refused" in answer:
        raise PromotionRefusedError(str(answer["refused"]))
    tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
    raise RecommenderError(
        f"judging {candidate!r} against {champion!r} failed: {answer.get('error', tail[0])}"
    )
