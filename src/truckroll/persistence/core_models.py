"""PynamoDB models of the core table (see :mod:`truckroll.persistence.keys` for the key layout).

All items share one base model with a ``kind`` discriminator, so one Query on a job's partition
returns the job and its appointments as their own classes.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from truckroll.persistence.tables import TableMeta, TableModel


class CoreItem(TableModel):
    class Meta(metaclass=TableMeta):
        logical_table = "core"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    tenant_id = UnicodeAttribute()


def _strings() -> ListAttribute[str]:
    return ListAttribute[str](default=list)


class CustomersByPhone(GlobalSecondaryIndex["CustomerItem"]):  # type: ignore[no-untyped-call]
    """Customers of one phone number (gsi1): the caller's record in one Query."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class CustomerItem(CoreItem, discriminator="customer"):
    customer_id = UnicodeAttribute()
    name = UnicodeAttribute()
    phone = UnicodeAttribute()
    phone_type = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    tags = _strings()
    gsi1pk = UnicodeAttribute(null=True)  # the phone number's partition (keys.customer_phone_pk)
    gsi1sk = UnicodeAttribute(null=True)
    version = VersionAttribute()
    by_phone = CustomersByPhone()


class CustomerNameItem(CoreItem, discriminator="customer_name"):
    """One word of a customer's name, for search by name prefix (keys.customer_name_pk); it repeats
    what a search result shows, so a search is one Query."""

    customer_id = UnicodeAttribute()
    name = UnicodeAttribute()
    phone = UnicodeAttribute()
    phone_type = UnicodeAttribute()


class LocationItem(CoreItem, discriminator="location"):
    location_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    street = UnicodeAttribute()
    city = UnicodeAttribute()
    state = UnicodeAttribute()
    postal_code = UnicodeAttribute()
    lat = NumberAttribute(null=True)
    lon = NumberAttribute(null=True)
    verified = BooleanAttribute()
    tags = _strings()
    version = VersionAttribute()


class DocumentItem(CoreItem, discriminator="document"):
    """A tenant's settings of one kind (booking settings, lead receivers) as one JSON document."""

    document = UnicodeAttribute()
    version = VersionAttribute()


class LeadsByStatus(GlobalSecondaryIndex["LeadItem"]):  # type: ignore[no-untyped-call]
    """A tenant's leads of one status, newest last (gsi1): the leads inbox in one Query."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class LeadItem(CoreItem, discriminator="lead"):
    lead_id = UnicodeAttribute()
    received_at = UnicodeAttribute()
    status = UnicodeAttribute()
    first = UnicodeAttribute()  # JSON: the first delivery (truckroll.domain.leads.IncomingLead)
    deliveries = NumberAttribute(default=1)
    merged = _strings()
    decline_reason = UnicodeAttribute(null=True)
    job_id = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    version = VersionAttribute()
    by_status = LeadsByStatus()


class LeadGuardItem(CoreItem, discriminator="lead_guard"):
    """Points a lead's source id, or its duplicate key of a day, at the lead (keys.lead_source_pk,
    keys.lead_duplicate_pk); written only if absent, so two deliveries cannot both create a lead."""

    lead_id = UnicodeAttribute()
    expires_at = TTLAttribute()


class WebhookReceiptItem(CoreItem, discriminator="webhook_receipt"):
    """One signed webhook delivery (message id and timestamp) already taken: a replay is refused."""

    expires_at = TTLAttribute()


class JobItem(CoreItem, discriminator="job"):
    job_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    location_id = UnicodeAttribute()
    job_type = UnicodeAttribute()
    summary = UnicodeAttribute()
    priority = UnicodeAttribute()
    business_unit = UnicodeAttribute(null=True)
    tags = _strings()
    source = UnicodeAttribute()
    campaign = UnicodeAttribute(null=True)
    call_id = UnicodeAttribute(null=True)
    project_id = UnicodeAttribute(null=True)
    estimate_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    offer = UnicodeAttribute(null=True)
    hold_reason = UnicodeAttribute(null=True)
    cancel_reason = UnicodeAttribute(null=True)
    payments = NumberAttribute(default=0)
    invoice_items = _strings()
    status = UnicodeAttribute()  # derived; stored for reading and filtering only
    auto_dispatch = BooleanAttribute(default=True)
    technician_specific = BooleanAttribute(default=False)
    version = VersionAttribute()


class AppointmentItem(CoreItem, discriminator="appointment"):
    appointment_id = UnicodeAttribute()
    job_id = UnicodeAttribute()
    start = UnicodeAttribute()
    end = UnicodeAttribute()
    window_start = UnicodeAttribute()
    window_end = UnicodeAttribute()
    status = UnicodeAttribute()  # derived; stored for reading and filtering only
    technician_ids = _strings()  # derived from assignments, as above
    assignments = UnicodeAttribute(default="[]")  # JSON: technician id, progress, pause reason, forced
    confirmed = BooleanAttribute(default=False)
    canceled = BooleanAttribute(default=False)
    auto_alert = UnicodeAttribute(null=True)


class OutboxItem(CoreItem, discriminator="outbox"):
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    producer = UnicodeAttribute()
    envelope = UnicodeAttribute()  # the EventEnvelope as JSON
    expires_at = TTLAttribute()


class BoardEntryItem(CoreItem, discriminator="board_entry"):
    """One appointment on a day's board: ``entry`` is the whole entry as JSON, so the day's Query
    asks for that one attribute. Entries stored before it held each field in an attribute of its own
    (the nullable ones below); they are read that way until their next change rewrites them."""

    appointment_id = UnicodeAttribute()
    entry = UnicodeAttribute(null=True)
    job_id = UnicodeAttribute(null=True)
    start = UnicodeAttribute(null=True)
    end = UnicodeAttribute(null=True)
    window_start = UnicodeAttribute(null=True)
    window_end = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    job_status = UnicodeAttribute(null=True)
    customer_name = UnicodeAttribute(null=True)
    job_type = UnicodeAttribute(null=True)
    business_unit = UnicodeAttribute(null=True)
    summary = UnicodeAttribute(null=True)
    priority = UnicodeAttribute(null=True)
    tags = _strings()
    street = UnicodeAttribute(null=True)
    city = UnicodeAttribute(null=True)
    state = UnicodeAttribute(null=True)
    postal_code = UnicodeAttribute(null=True)
    verified = BooleanAttribute(null=True)
    lat = NumberAttribute(null=True)
    lon = NumberAttribute(null=True)
    technician_ids = _strings()
    alerts = _strings()
    auto_alert = UnicodeAttribute(null=True)
    job_version = NumberAttribute(default=0)


class FeedItem(CoreItem, discriminator="board_change"):
    """One change of a day's board; ``entry`` is the board entry as JSON, or null when the
    appointment left that day."""

    appointment_id = UnicodeAttribute()
    entry = UnicodeAttribute(null=True)
    previous_technician_ids = _strings()
    expires_at = TTLAttribute()


class TechnicianChangeItem(CoreItem, discriminator="technician_change"):
    """A technician's row on the board changed: on one day's feed for their shifts and non-job
    events, on the technicians' feed for their profile and device health (every day's row)."""

    technician_id = UnicodeAttribute()
    expires_at = TTLAttribute()


class TechDaysOfDate(GlobalSecondaryIndex["TechDayItem"]):  # type: ignore[no-untyped-call]
    """Every technician's day of one date (gsi1): the board's rows in one Query."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class TechDayItem(CoreItem, discriminator="tech_day"):
    """A technician's booked time, shifts and non-job events on one day (truckroll.domain.schedule)."""

    technician_id = UnicodeAttribute()
    day = UnicodeAttribute()
    slots = UnicodeAttribute(default="[]")  # JSON: owner, kind, start, end, forced
    shifts = UnicodeAttribute(default="[]")  # JSON: id, kind, window
    events = UnicodeAttribute(default="[]")  # JSON: id, type, window, capacity, timesheet code, completed
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    version = VersionAttribute()
    of_date = TechDaysOfDate()


class CrewItem(CoreItem, discriminator="crew"):
    crew_id = UnicodeAttribute()
    name = UnicodeAttribute()
    members = UnicodeAttribute(default="[]")  # JSON: technician id, kind
    version = VersionAttribute()


class AuditItem(CoreItem, discriminator="audit"):
    """One entry of a job's audit trail: the event an action recorded."""

    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    occurred_at = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    actor_role = UnicodeAttribute()
    appointment_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    data = UnicodeAttribute()  # JSON: the event's data


class NoteItem(CoreItem, discriminator="job_note"):
    job_id = UnicodeAttribute()
    note_id = UnicodeAttribute()
    text = UnicodeAttribute()
    public = BooleanAttribute()
    author_id = UnicodeAttribute()
    author_role = UnicodeAttribute()
    created_at = UnicodeAttribute()


class PhotoItem(CoreItem, discriminator="job_photo"):
    job_id = UnicodeAttribute()
    photo_id = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    caption = UnicodeAttribute(null=True)
    author_id = UnicodeAttribute()
    author_role = UnicodeAttribute()
    created_at = UnicodeAttribute()


class TechnicianItem(CoreItem, discriminator="technician"):
    technician_id = UnicodeAttribute()
    name = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    role = UnicodeAttribute()
    business_unit = UnicodeAttribute(null=True)
    skills = _strings()
    active = BooleanAttribute()
    home = UnicodeAttribute(null=True)  # JSON: street, city, state, postal code, lat, lon, verified


class ReservationsOfUser(GlobalSecondaryIndex["ReservationItem"]):  # type: ignore[no-untyped-call]
    """A Google user's bookings with a tenant (gsi1): ListBookings in one Query."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ReservationItem(CoreItem, discriminator="reservation"):
    reservation = UnicodeAttribute()  # JSON of truckroll.domain.reservations.Reservation
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    of_user = ReservationsOfUser()


class ReservationTokenItem(CoreItem, discriminator="reservation_token"):
    """A CreateBooking's idempotency token, pointing at the booking it made (written if absent)."""

    booking_id = UnicodeAttribute()
    expires_at = TTLAttribute()


class ProjectItem(CoreItem, discriminator="project"):
    project_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    name = UnicodeAttribute()
    created_at = UnicodeAttribute()


class ProjectJobItem(CoreItem, discriminator="project_job"):
    """A job listed in its project's partition, written in the job's booking transaction."""

    job_id = UnicodeAttribute()
    job_type = UnicodeAttribute()
    summary = UnicodeAttribute()
    booked_at = UnicodeAttribute()


class EstimateJobItem(CoreItem, discriminator="estimate_job"):
    """The job a sold estimate became; written only if absent, so an estimate becomes one job."""

    job_id = UnicodeAttribute()


class EnabledTenants(GlobalSecondaryIndex["AutoDispatchSettingsItem"]):  # type: ignore[no-untyped-call]
    """The tenants with automatic dispatch on (gsi2, sparse): whom the schedule plans for."""

    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class AutoDispatchSettingsItem(CoreItem, discriminator="auto_dispatch_settings"):
    enabled = BooleanAttribute()
    horizon_days = NumberAttribute()
    timezone = UnicodeAttribute()
    business_start = UnicodeAttribute()  # HH:MM
    business_end = UnicodeAttribute()
    max_drive_minutes = NumberAttribute(null=True)
    job_types = ListAttribute[str](null=True)
    skill_tags = _strings()
    debounce_seconds = NumberAttribute()
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    enabled_tenants = EnabledTenants()


class PlanRequestItem(CoreItem, discriminator="auto_dispatch_request"):
    """A run of automatic dispatch is due for the tenant (triggers in a burst find it and stop)."""

    requested_at = NumberAttribute()  # epoch seconds


class AutoRunItem(CoreItem, discriminator="auto_dispatch_run"):
    """One run of automatic dispatch in the tenant's run history (kept a week)."""

    run_id = UnicodeAttribute()
    started_at = UnicodeAttribute()
    trigger = UnicodeAttribute()
    request_event_id = UnicodeAttribute(null=True)
    enabled = BooleanAttribute()
    days = NumberAttribute()
    outcomes = UnicodeAttribute()  # JSON object: outcome -> count
    expires_at = TTLAttribute()


class PositionItem(CoreItem, discriminator="position"):
    """A technician's latest live position (the newest report wins)."""

    technician_id = UnicodeAttribute()
    lat = NumberAttribute()
    lon = NumberAttribute()
    at = UnicodeAttribute()
    at_epoch = NumberAttribute()
