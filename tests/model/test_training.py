"""The training procedure both engines share: the data fingerprint of the manifest."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from training.fingerprint import data_fingerprint


def test_data_fingerprint_is_stable_and_sensitive_to_every_value() -> None:
    firms = pd.DataFrame({"firm_id": ["f1", "f2"], "year": [2023, 2023],
                          "cap_hr_skills": [3.0, np.nan]})
    programmes = pd.DataFrame({"programme_id": ["p1"], "requires_rnd_lab": [None]},
                              dtype=object)
    base = data_fingerprint({"firms": firms, "programmes": programmes, "outcomes": None})
    assert re.fullmatch(r"[0-9a-f]{64}", base)
    assert base == data_fingerprint({"outcomes": None, "programmes": programmes.copy(),
                                     "firms": firms.set_index("firm_id", drop=False)})
    changed = firms.copy()
    changed.loc[1, "cap_hr_skills"] = 2.0
    renamed = firms.rename(columns={"cap_hr_skills": "cap_feedback"})
    others = [
        data_fingerprint({"firms": changed, "programmes": programmes, "outcomes": None}),
        data_fingerprint({"firms": renamed, "programmes": programmes, "outcomes": None}),
        data_fingerprint({"firms": firms.iloc[::-1], "programmes": programmes,
                          "outcomes": None}),
        data_fingerprint({"firms": firms, "programmes": programmes}),
        data_fingerprint({"firms": firms.iloc[:0], "programmes": programmes,
                          "outcomes": None}),
    ]
    assert len({base, *others}) == 6
