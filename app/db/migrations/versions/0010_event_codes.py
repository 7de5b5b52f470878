"""event codes: timeline entries the app wrote become an event code with parameters

Older versions stored a system entry as a sentence in the language of whoever was signed in
(«Case registered.», «Іс тіркелді.», «Letter SEL-2026/0001 issued: …»). Each such sentence is
read back (in kk, ru or en) into ``data.event`` and ``data.params``, keeping in ``text`` only
what a person typed (a letter's subject, a referral's reason). A text that is no sentence of
the app's is left as it is.

Rows keep their version and change sequence: every installation converts the same sentences
to the same data, so there is nothing new to send in a bundle. The audit log is not touched
(its entries already hold an action code and details; its hash chain stays valid).

Revision ID: 0010
Revises: 0009
"""
import json

import sqlalchemy as sa
from alembic import op

from app.domain.events import parse_sentence

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# The kinds of entry the app itself wrote sentences into.
SYSTEM_KINDS = ('system', 'assignment', 'escalation', 'letter_sent', 'note')


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, text, data FROM case_event WHERE text != '' AND kind IN :kinds"
        ).bindparams(sa.bindparam('kinds', expanding=True)),
        {'kinds': list(SYSTEM_KINDS)},
    ).all()
    for event_id, text, data in rows:
        stored = json.loads(data) if isinstance(data, str) else (data or {})
        if not isinstance(stored, dict) or 'event' in stored:
            continue
        parsed = parse_sentence(text)
        if parsed is None:
            continue
        event, typed = parsed
        bind.execute(
            sa.text('UPDATE case_event SET text = :text, data = :data WHERE id = :id'),
            {
                'text': typed,
                'data': json.dumps({**stored, **event}, ensure_ascii=False),
                'id': event_id,
            },
        )


def downgrade() -> None:
    # The sentences were a rendering of this data; older versions show the typed part only.
    pass
