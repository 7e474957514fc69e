"""The policy records' validation."""

import pytest
from pydantic import ValidationError

from innoreform.financing.policies import ClassificationRules, LossSharing


def test_policy_records_validate():
    with pytest.raises(ValidationError):
        LossSharing(bank=20, guarantor=50, insurer=10, public=10)  # sums to 90
    with pytest.raises(ValidationError):
        ClassificationRules(special_mention_after_days=0, substandard_after_days=270, doubtful_after_days=90,
                            loss_after_days=360, default_after_days=90)
