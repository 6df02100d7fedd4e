"""Email intake (`santui ingest-mail`, docs/mail-intake.md).

- ``sources``: .eml, mbox, Maildir and IMAP -> raw messages, size-limited;
- ``message`` (with ``charsets`` and ``html``): a raw message -> identity, text, attachments;
  pure Python, no Django;
- ``fields``: the parser's reading -> a statement's fields; the reply rule;
- ``ingest``: one message -> a statement or the quarantine (the write, one transaction);
- ``actions`` and ``access``: what the back office does with quarantined mail, and who may read it.
"""
