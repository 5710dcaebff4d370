"""Category lists of the external reporting frameworks that categories map to.

Filled in with the published lists (see docs/taxonomy.md): Child Helpline International's data
framework and the Insafe helpline categories. Codes here are ours and stable; labels are theirs.
"""

from django.utils.translation import gettext_lazy as _

CHI_CATEGORIES: list[tuple[str, object]] = [
    ("placeholder", _("(to be completed)")),
]

INSAFE_CATEGORIES: list[tuple[str, object]] = [
    ("placeholder", _("(to be completed)")),
]
