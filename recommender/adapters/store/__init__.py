"""SQLAlchemy storage: firms, programmes, outcomes, keys, feedback, audit, alerts.

Every function takes the ``Session`` (or ``Engine``) it works on; open one with
:func:`session_scope`. Reads return canonical frames (``docs/internals.md``) or small
frozen dataclasses; errors are :mod:`recommender.errors` exceptions.
"""

from recommender.adapters.store.activity import (
    AuditRecord,
    FeedbackRecord,
    list_audit,
    list_feedback,
    record_feedback,
    write_audit,
)
from recommender.adapters.store.alerts import (
    AlertRecord,
    SubscriptionRecord,
    add_alerts,
    delete_saved_profile,
    get_saved_profile,
    get_subscription,
    list_alerts,
    list_subscriptions,
    save_profile,
    subscribe,
    unsubscribe,
)
from recommender.adapters.store.applications import load_applications, upsert_applications
from recommender.adapters.store.catalogue import (
    clear_type_override,
    get_programme,
    load_field_overrides,
    load_programmes,
    load_type_overrides,
    set_field_override,
    set_type_override,
    upsert_programmes,
)
from recommender.adapters.store.dataset_transfer import (
    export_dataset,
    import_dataset,
    summarise_counts,
)
from recommender.adapters.store.db import dispose_engines, get_engine, make_engine, session_scope
from recommender.adapters.store.firms import get_firm, load_firms, upsert_firms
from recommender.adapters.store.keys import (
    KeyInfo,
    KeyRecord,
    authenticate,
    create_key,
    list_keys,
    revoke_key,
)
from recommender.adapters.store.migrate import current_revision, head_revision, upgrade_database
from recommender.adapters.store.outcomes import add_outcomes, load_outcomes, upsert_outcomes
from recommender.adapters.store.tables import FEEDBACK_ACTIONS, OUTCOME_SOURCES, ROLES

__all__ = [
    "FEEDBACK_ACTIONS",
    "OUTCOME_SOURCES",
    "ROLES",
    "AlertRecord",
    "AuditRecord",
    "FeedbackRecord",
    "KeyInfo",
    "KeyRecord",
    "SubscriptionRecord",
    "add_alerts",
    "add_outcomes",
    "authenticate",
    "clear_type_override",
    "create_key",
    "current_revision",
    "delete_saved_profile",
    "dispose_engines",
    "export_dataset",
    "get_engine",
    "get_firm",
    "get_programme",
    "get_saved_profile",
    "get_subscription",
    "head_revision",
    "import_dataset",
    "list_alerts",
    "list_audit",
    "list_feedback",
    "list_keys",
    "list_subscriptions",
    "load_applications",
    "load_firms",
    "load_outcomes",
    "load_programmes",
    "load_type_overrides",
    "load_field_overrides",
    "set_field_override",
    "make_engine",
    "record_feedback",
    "revoke_key",
    "save_profile",
    "session_scope",
    "set_type_override",
    "subscribe",
    "summarise_counts",
    "unsubscribe",
    "upgrade_database",
    "upsert_applications",
    "upsert_firms",
    "upsert_outcomes",
    "upsert_programmes",
    "write_audit",
]
