"""The audit event codes: one constant per code, and a registry with a description of each.

A code is ``<domain>.<verb>`` in lower case, e.g. ``case.view`` (see docs/audit.md for the
convention). Codes are data: once an event with a code has been written it stays in the log for
years, so a code is never renamed or reused for something else; add a new one instead.

Other apps import the constants (``from smartsafe.audit import codes`` … ``codes.CASE_VIEW``) so a
typo fails loudly, not as a silently different code. A test (audit/tests/test_codes.py) reads the
source as syntax trees and fails when ``record()`` gets a string literal or a name not declared here,
or when a registered code is spelled as a string anywhere else.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

# --- auth: signing in and out, API token authentication ---------------------------------------
AUTH_LOGIN = "auth.login"
AUTH_LOGIN_FAILED = "auth.login_failed"
AUTH_LOGOUT = "auth.logout"
AUTH_LOCKED_OUT = "auth.locked_out"
AUTH_TOKEN_REJECTED = "auth.token_rejected"
AUTH_PASSWORD_CHANGE = "auth.password_change"

# --- mfa: second factors (allauth MFA) -------------------------------------------------------
MFA_AUTHENTICATOR_ADDED = "mfa.authenticator_added"
MFA_AUTHENTICATOR_REMOVED = "mfa.authenticator_removed"
MFA_AUTHENTICATOR_RESET = "mfa.authenticator_reset"

# --- user: account administration -------------------------------------------------------------
USER_CREATE = "user.create"
USER_UPDATE = "user.update"
USER_ROLE_CHANGE = "user.role_change"

# --- token: personal API tokens ----------------------------------------------------------------
TOKEN_CREATE = "token.create"
TOKEN_REVOKE = "token.revoke"

# --- contact: inbound communications (intake) --------------------------------------------------
CONTACT_CREATE = "contact.create"
CONTACT_RECEIVE = "contact.receive"
CONTACT_UPDATE = "contact.update"
CONTACT_TRIAGE = "contact.triage"
CONTACT_CLOSE = "contact.close"
CONTACT_LINK = "contact.link"
CONTACT_ASSIGN = "contact.assign"
CONTACT_VIEW = "contact.view"
CONTACT_LIST = "contact.list"

# --- case: casework --------------------------------------------------------------------------
CASE_CREATE = "case.create"
CASE_UPDATE = "case.update"
CASE_URGENT = "case.urgent"
CASE_TRANSITION = "case.transition"
CASE_ASSIGN = "case.assign"
CASE_NOTE = "case.note"
CASE_ARTEFACT = "case.artefact"
CASE_LINK = "case.link"
CASE_SHARE = "case.share"
CASE_UNSHARE = "case.unshare"
CASE_VIEW = "case.view"
CASE_LIST = "case.list"

# --- channel: configured inboxes (e-mail accounts, messenger bots, the phone line) -------------
CHANNEL_CREATE = "channel.create"
CHANNEL_UPDATE = "channel.update"
CHANNEL_DISABLE = "channel.disable"
CHANNEL_WEBHOOK_REJECTED = "channel.webhook_rejected"

# --- email: messages received and replies sent on e-mail channels ------------------------------
EMAIL_RECEIVE = "email.receive"
EMAIL_REPLY = "email.reply"
EMAIL_SEND = "email.send"

# --- messenger: messages and replies on Viber, Telegram, Messenger, Instagram, WhatsApp --------
MESSENGER_RECEIVE = "messenger.receive"
MESSENGER_REPLY = "messenger.reply"
MESSENGER_SEND = "messenger.send"

# --- call: the phone line (exchange events, call form, call-back list) ------------------------
CALL_RINGING = "call.ringing"
CALL_ANSWERED = "call.answered"
CALL_ENDED = "call.ended"
CALL_LOGGED = "call.logged"
CALL_CALLBACK = "call.callback"

# --- referral: referrals to institutions and their answers ------------------------------------
REFERRAL_CREATE = "referral.create"
REFERRAL_UPDATE = "referral.update"
REFERRAL_SUBMIT = "referral.submit"
REFERRAL_RETURN = "referral.return"
REFERRAL_APPROVE = "referral.approve"
REFERRAL_SEND = "referral.send"
REFERRAL_ACKNOWLEDGE = "referral.acknowledge"
REFERRAL_ACCEPT = "referral.accept"
REFERRAL_REJECT = "referral.reject"
REFERRAL_COMPLETE = "referral.complete"
REFERRAL_REVOKE = "referral.revoke"
REFERRAL_MESSAGE = "referral.message"
REFERRAL_MANUAL_DELIVERY = "referral.manual_delivery"
REFERRAL_DELIVERY = "referral.delivery"
REFERRAL_DELIVERY_RETRY = "referral.delivery_retry"
REFERRAL_REMIND = "referral.remind"
REFERRAL_ESCALATE = "referral.escalate"
REFERRAL_VIEW = "referral.view"
REFERRAL_LIST = "referral.list"

# --- evidence: files and their chain of custody (reserved for the evidence app) ---------------
EVIDENCE_RECEIVE = "evidence.receive"
EVIDENCE_VIEW = "evidence.view"
EVIDENCE_DOWNLOAD = "evidence.download"
EVIDENCE_EXPORT = "evidence.export"
EVIDENCE_DELETE = "evidence.delete"
EVIDENCE_REJECT = "evidence.reject"
EVIDENCE_SCAN = "evidence.scan"
EVIDENCE_REKEY = "evidence.rekey"
EVIDENCE_KNOWN_CONTENT = "evidence.known_content"
EVIDENCE_CONFIRM = "evidence.confirm"
EVIDENCE_HASHLIST_IMPORT = "evidence.hashlist_import"
EVIDENCE_HASHLIST_WITHDRAW = "evidence.hashlist_withdraw"
EVIDENCE_HASHLIST_EXPORT = "evidence.hashlist_export"
EVIDENCE_SWEEP = "evidence.sweep"

# --- portal: the public report form and "Check my report" --------------------------------------
PORTAL_REPORT = "portal.report"
PORTAL_ADDITION = "portal.addition"
PORTAL_STATUS = "portal.status"

# --- directory: institutions and organisations (imports and changes to referral targets) ------
DIRECTORY_IMPORT = "directory.import"
DIRECTORY_UPDATE = "directory.update"

# --- taxonomy: reference terms (channels, categories, platforms…) changed by administrators ----
TAXONOMY_UPDATE = "taxonomy.update"

# --- advice: the public knowledge base (articles written by staff) ----------------------------
ADVICE_CREATE = "advice.create"
ADVICE_UPDATE = "advice.update"
ADVICE_PUBLISH = "advice.publish"
ADVICE_UNPUBLISH = "advice.unpublish"

# --- prevention: events, the venue register, imports of past events ---------------------------
PREVENTION_EVENT_CREATE = "prevention.event_create"
PREVENTION_EVENT_UPDATE = "prevention.event_update"
PREVENTION_EVENT_CANCEL = "prevention.event_cancel"
PREVENTION_VENUE_CREATE = "prevention.venue_create"
PREVENTION_VENUE_UPDATE = "prevention.venue_update"
PREVENTION_VENUE_MERGE = "prevention.venue_merge"
PREVENTION_IMPORT = "prevention.import"

# --- audit: reading the audit log is itself audited --------------------------------------------
AUDIT_BROWSE = "audit.browse"
AUDIT_VIEW = "audit.view"
AUDIT_EXPORT = "audit.export"
AUDIT_VERIFY = "audit.verify"
AUDIT_PRUNE = "audit.prune"

# --- admin: reads of sensitive records in the Django admin (non-personal fields only) -----------
ADMIN_VIEW = "admin.view"
ADMIN_LIST = "admin.list"

# --- privacy: retention rules, legal holds, the retention job --------------------------------
RETENTION_POLICY_CHANGE = "retention.policy_change"
RETENTION_DRY_RUN = "retention.dry_run"
RETENTION_APPLY = "retention.apply"
LEGAL_HOLD_PLACE = "legal_hold.place"
LEGAL_HOLD_LIFT = "legal_hold.lift"
SUBJECT_REQUEST_OPEN = "subject_request.open"
SUBJECT_ACCESS_EXPORT = "subject_access.export"
ERASURE_DECIDE = "erasure.decide"

# --- chat: live web chat with a counsellor ------------------------------------------------------
CHAT_START = "chat.start"
CHAT_MESSAGE = "chat.message"
CHAT_TAKE = "chat.take"
CHAT_TRANSFER = "chat.transfer"
CHAT_WATCH = "chat.watch"
CHAT_VIEW = "chat.view"
CHAT_END = "chat.end"
CHAT_BLOCK = "chat.block"

# --- api: the REST API --------------------------------------------------------------------------
API_DENIED = "api.denied"

# --- task: background work that failed every attempt ("needs attention") ------------------------
TASK_LIST = "task.list"
TASK_RETRY = "task.retry"

# --- write: a change someone asked for and did not get --------------------------------------
WRITE_REFUSED = "write.refused"

#: Every known code and what it means. Descriptions are shown to auditors next to the code.
REGISTRY: dict[str, str] = {
    AUTH_LOGIN: _("Signed in"),
    AUTH_LOGIN_FAILED: _("Failed sign-in attempt"),
    AUTH_LOGOUT: _("Signed out"),
    AUTH_LOCKED_OUT: _("Sign-in locked after repeated failures"),
    AUTH_TOKEN_REJECTED: _("API token refused (unknown, revoked or inactive)"),
    AUTH_PASSWORD_CHANGE: _("Password changed"),
    MFA_AUTHENTICATOR_ADDED: _("Second factor added"),
    MFA_AUTHENTICATOR_REMOVED: _("Second factor removed"),
    MFA_AUTHENTICATOR_RESET: _("Recovery codes regenerated"),
    USER_CREATE: _("User account created"),
    USER_UPDATE: _("User account changed"),
    USER_ROLE_CHANGE: _("User's role changed"),
    TOKEN_CREATE: _("API token created"),
    TOKEN_REVOKE: _("API token revoked"),
    CONTACT_CREATE: _("Contact logged"),
    CONTACT_RECEIVE: _("Contact received on a channel"),
    CONTACT_UPDATE: _("Contact edited"),
    CONTACT_TRIAGE: _("Contact triaged"),
    CONTACT_CLOSE: _("Contact closed"),
    CONTACT_LINK: _("Contact linked to a case"),
    CONTACT_ASSIGN: _("Contact assigned"),
    CONTACT_VIEW: _("Contact read"),
    CONTACT_LIST: _("Contact list viewed"),
    CASE_CREATE: _("Case opened"),
    CASE_UPDATE: _("Case edited"),
    CASE_URGENT: _("Case urgency changed"),
    CASE_TRANSITION: _("Case moved to another state"),
    CASE_ASSIGN: _("Case assigned"),
    CASE_NOTE: _("Note added to a case"),
    CASE_ARTEFACT: _("Artefact added to a case"),
    CASE_LINK: _("Cases linked"),
    CASE_SHARE: _("Case shared with an institution"),
    CASE_UNSHARE: _("Case no longer shared with an institution"),
    CASE_VIEW: _("Case read"),
    CASE_LIST: _("Case list viewed"),
    CHANNEL_CREATE: _("Channel configured"),
    CHANNEL_UPDATE: _("Channel settings or secrets changed"),
    CHANNEL_DISABLE: _("Channel switched off"),
    CHANNEL_WEBHOOK_REJECTED: _("Webhook request refused: signature or token did not verify"),
    EMAIL_RECEIVE: _("E-mail received on a channel"),
    EMAIL_REPLY: _("E-mail reply written by a counsellor"),
    EMAIL_SEND: _("E-mail reply delivery attempt, sent or failed"),
    MESSENGER_RECEIVE: _("Messenger message received on a channel"),
    MESSENGER_REPLY: _("Messenger reply written by a counsellor"),
    MESSENGER_SEND: _("Messenger reply delivery attempt, sent or failed"),
    CALL_RINGING: _("Call to the helpline ringing (reported by the exchange)"),
    CALL_ANSWERED: _("Call answered, or transferred, by a counsellor; the screen pop's earlier contacts"),
    CALL_ENDED: _("Call ended: completed, missed or abandoned"),
    CALL_LOGGED: _("Call logged as a contact from its call form"),
    CALL_CALLBACK: _("Missed or abandoned call called back, tried or dismissed"),
    REFERRAL_CREATE: _("Referral drafted"),
    REFERRAL_UPDATE: _("Referral draft edited"),
    REFERRAL_SUBMIT: _("Referral submitted for approval"),
    REFERRAL_RETURN: _("Referral returned to draft"),
    REFERRAL_APPROVE: _("Referral approved and sent"),
    REFERRAL_SEND: _("Referral sent"),
    REFERRAL_ACKNOWLEDGE: _("Referral acknowledged by the institution"),
    REFERRAL_ACCEPT: _("Referral accepted by the institution"),
    REFERRAL_REJECT: _("Referral rejected by the institution"),
    REFERRAL_COMPLETE: _("Referral completed with the institution's feedback"),
    REFERRAL_REVOKE: _("Referral revoked"),
    REFERRAL_MESSAGE: _("Message about a referral"),
    REFERRAL_MANUAL_DELIVERY: _("Referral delivery by phone or paper recorded"),
    REFERRAL_DELIVERY: _("Referral packet delivery attempt (e-mail or portal), delivered or failed"),
    REFERRAL_DELIVERY_RETRY: _("Failed referral delivery retried"),
    REFERRAL_REMIND: _("Overdue referral: reminder sent to the institution"),
    REFERRAL_ESCALATE: _("Overdue referral escalated to the supervisors"),
    REFERRAL_VIEW: _("Referral read"),
    REFERRAL_LIST: _("Referral list viewed"),
    EVIDENCE_RECEIVE: _("Evidence file received"),
    EVIDENCE_VIEW: _("Evidence file viewed"),
    EVIDENCE_DOWNLOAD: _("Evidence file downloaded"),
    EVIDENCE_EXPORT: _("Evidence exported"),
    EVIDENCE_DELETE: _("Evidence file deleted"),
    EVIDENCE_REJECT: _("Evidence file refused on arrival (type, size or malware)"),
    EVIDENCE_SCAN: _("Evidence file scanned for malware again"),
    EVIDENCE_REKEY: _("Evidence keys re-wrapped under a new master key"),
    EVIDENCE_KNOWN_CONTENT: _("Evidence file matched a hash list of known abuse material"),
    EVIDENCE_CONFIRM: _("Evidence file confirmed as abuse material (its hashes are shared)"),
    EVIDENCE_HASHLIST_IMPORT: _("Hash list imported or replaced"),
    EVIDENCE_HASHLIST_WITHDRAW: _("Hash list withdrawn"),
    EVIDENCE_HASHLIST_EXPORT: _("Confirmed hashes exported for partners"),
    EVIDENCE_SWEEP: _("Orphaned evidence ciphertext removed from storage"),
    ADVICE_CREATE: _("Advice article drafted"),
    ADVICE_UPDATE: _("Advice article edited"),
    ADVICE_PUBLISH: _("Advice article published"),
    ADVICE_UNPUBLISH: _("Advice article taken off the public site"),
    AUDIT_BROWSE: _("Audit log browsed"),
    AUDIT_VIEW: _("Audit event read"),
    AUDIT_EXPORT: _("Audit log exported"),
    AUDIT_VERIFY: _("Audit chain verified"),
    AUDIT_PRUNE: _("Old audit events pruned at a checkpoint"),
    PORTAL_REPORT: _("Report filed on the public portal"),
    PORTAL_ADDITION: _("Reporter added information to a public report"),
    PORTAL_STATUS: _("Reporter checked a public report's status"),
    DIRECTORY_IMPORT: _("Directory data imported"),
    DIRECTORY_UPDATE: _("Directory entry changed"),
    TAXONOMY_UPDATE: _("Taxonomy terms switched on or off by an administrator"),
    PREVENTION_EVENT_CREATE: _("Prevention event recorded"),
    PREVENTION_EVENT_UPDATE: _("Prevention event edited"),
    PREVENTION_EVENT_CANCEL: _("Prevention event cancelled"),
    PREVENTION_VENUE_CREATE: _("Venue added to the register"),
    PREVENTION_VENUE_UPDATE: _("Venue edited"),
    PREVENTION_VENUE_MERGE: _("Duplicate venue merged into another"),
    PREVENTION_IMPORT: _("Past prevention events imported"),
    ADMIN_VIEW: _("Sensitive record read in the Django admin (its non-personal fields)"),
    ADMIN_LIST: _("List of sensitive records viewed in the Django admin"),
    RETENTION_POLICY_CHANGE: _("Retention period of a kind of record changed"),
    RETENTION_DRY_RUN: _("Retention dry run: what is due counted, nothing changed"),
    RETENTION_APPLY: _("Retention applied: due records anonymised, shredded or deleted"),
    LEGAL_HOLD_PLACE: _("Legal hold placed on a case (nothing of it is anonymised or shredded)"),
    LEGAL_HOLD_LIFT: _("Legal hold on a case lifted"),
    SUBJECT_REQUEST_OPEN: _("Subject access or erasure request opened (the identity is not kept)"),
    SUBJECT_ACCESS_EXPORT: _("Everything held about a person exported for a subject-access request"),
    ERASURE_DECIDE: _("Erasure request decided: what was erased and what was kept, and why"),
    CHAT_START: _("Web chat started by a child (anonymous)"),
    CHAT_MESSAGE: _("Message written in a web chat"),
    CHAT_TAKE: _("Web chat answered by a counsellor"),
    CHAT_TRANSFER: _("Web chat handed to a colleague"),
    CHAT_WATCH: _("Web chat watched silently by a supervisor"),
    CHAT_VIEW: _("Web chat conversation opened by staff"),
    CHAT_END: _("Web chat ended"),
    CHAT_BLOCK: _("Web chat client blocked (by keyed hash)"),
    API_DENIED: _("API request refused: the role or record does not allow it"),
    TASK_LIST: _("Failed background work listed (needs attention)"),
    TASK_RETRY: _("Failed background task queued again by a person"),
    WRITE_REFUSED: _(
        "Change refused: illegal transition, stale version or invalid input (what was refused, not the input)"
    ),
}

#: What ``outcome`` may say. ``denied``: the actor was refused (permission, lockout);
#: ``failed``: the attempt was allowed but did not succeed (wrong password, invalid data).
OUTCOME_OK = "ok"
OUTCOME_DENIED = "denied"
OUTCOME_FAILED = "failed"
OUTCOMES: dict[str, str] = {
    OUTCOME_OK: _("ok"),
    OUTCOME_DENIED: _("denied"),
    OUTCOME_FAILED: _("failed"),
}


def domains() -> list[str]:
    """The first parts of the known codes (``auth``, ``case``…), for the auditor's action filter."""
    return sorted({code.split(".", 1)[0] for code in REGISTRY})


def describe(code: str) -> str:
    """The description of ``code``, or an empty string for an unregistered one."""
    return str(REGISTRY.get(code, ""))


def is_valid_code(code: str) -> bool:
    return bool(CODE_PATTERN.match(code)) and len(code) <= 64
