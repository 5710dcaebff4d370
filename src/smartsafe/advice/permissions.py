"""Who may write advice articles. Plain functions; views, actions and templates ask the same ones.

Counsellors and supervisors write and edit drafts (they know what people ask); only supervisors
put an article on the public site, take it down, or change one that is already public — so
nothing reaches children without a second pair of eyes.
"""

from __future__ import annotations

from smartsafe.accounts.roles import Role

WRITER_ROLES = frozenset({Role.COUNSELLOR, Role.SUPERVISOR})


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_write_articles(user) -> bool:
    """Counsellors and supervisors: the staff pages of the knowledge base, drafts."""
    return _active(user) and user.role in WRITER_ROLES


def can_publish_articles(user) -> bool:
    return _active(user) and user.role == Role.SUPERVISOR


def can_edit_article(user, article) -> bool:
    """Drafts: any writer. A published article: a supervisor (its changes go live at once)."""
    if article.is_published:
        return can_publish_articles(user)
    return can_write_articles(user)


def can_copy_links(user) -> bool:
    """Counsellors and supervisors paste article links into their replies."""
    return can_write_articles(user)
