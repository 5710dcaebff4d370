"""Who may read the audit log. Nobody may change it: there is no permission for that, by design.

The rule itself (auditors and administrators, active accounts only) lives with the roles in
``accounts.permissions`` so the navigation and other apps ask the same function.
"""

from smartsafe.accounts.permissions import can_browse_audit

__all__ = ["can_browse_audit"]
