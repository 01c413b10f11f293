"""Data-sharing agreements between the authorities and the consortium: versions, acceptances and withdrawals, and
the rule that only an authority that has accepted the current version has its requirements pooled."""
