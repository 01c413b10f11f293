"""What a framework's life tells the capabilities built on it (Flask's blinker signals).

Frameworks sit low in the house: the board, the evaluation, the bids and the contracts build on them, so a framework
never imports them. Where a framework needs their word, or they must act when it moves, they subscribe here.
"""
from blinker import Namespace

_signals = Namespace()

# Sent with the framework, to gather the facts its lifecycle needs from above (the board's latest decision): each
# receiver returns a dict of `frameworks.domain.lifecycle.Facts` fields.
lifecycle_facts = _signals.signal("lifecycle-facts")

# Sent with the framework, inside the transaction that moves it (kwargs: target, actor, now): receivers add to that
# transaction (the opening of the bids at closing, the contracts at the award) and roll back with it.
moved = _signals.signal("framework-moved")

# Sent with the framework's id once a transition has been committed (kwargs: target): for work after the commit.
committed = _signals.signal("framework-committed")

# Sent with the framework when its page is shown (kwargs: user): each receiver returns a dict for the page's context.
page_context = _signals.signal("framework-page-context")


def gathered(signal, sender, **kwargs) -> dict:
    """Every receiver's dict, merged."""
    result: dict = {}
    for _, value in signal.send(sender, **kwargs):
        result |= value or {}
    return result
