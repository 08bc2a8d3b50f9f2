"""Key layout. Every key starts with the tenant id, so no read can cross tenants.

Core table (single-table design; booking and dispatch):
  customer           pk T#{tenant}#CUST#{customer_id}   sk CUSTOMER       (version attribute)
                     gsi1pk T#{tenant}#PHONE#{e164}       gsi1sk CUST#{customer_id}
  location           pk T#{tenant}#CUST#{customer_id}   sk LOC#{location_id} (version attribute)
  customer name word pk T#{tenant}#CNAME#{first 2 chars} sk {word}#{customer_id}
  settings document  pk T#{tenant}#SETTINGS              sk BOOKING | LEADS (version attribute)
  lead               pk T#{tenant}#LEAD#{lead_id}        sk LEAD           (version attribute)
                     gsi1pk T#{tenant}#LEADS#{status}     gsi1sk {received_at}#{lead_id}
  lead source guard  pk T#{tenant}#LEADSRC#{channel}#{source_id}  sk GUARD  (TTL expires_at)
  lead duplicate     pk T#{tenant}#LEADDUP#{yyyy-mm-dd}#{phone|street|postal}  sk GUARD  (TTL)
  webhook receipt    pk T#{tenant}#WHMSG#{webhook-id}    sk {webhook-timestamp} (TTL expires_at)
  request counter    pk T#{tenant}#RATE#{client}#{minute} sk RATE          (TTL expires_at)
  reservation        pk T#{tenant}#RESERVATION#{job_id}  sk RESERVATION  (Reserve with Google)
                     gsi1pk T#{tenant}#RESERVER#{google user id}  gsi1sk {job_id}
  reservation token  pk T#{tenant}#RESERVETOKEN#{idempotency_token}  sk GUARD  (TTL expires_at)
  project            pk T#{tenant}#PROJECT#{project_id}  sk PROJECT
  project's job      pk T#{tenant}#PROJECT#{project_id}  sk JOB#{job_id}
  sold estimate      pk T#{tenant}#ESTIMATE#{estimate_id} sk GUARD       (the job it became)
  job                pk T#{tenant}#JOB#{job_id}          sk JOB            (version attribute)
  appointment        pk T#{tenant}#JOB#{job_id}          sk APPT#{appointment_id}
  outbox item        pk T#{tenant}#OUTBOX#{event_id}     sk OUTBOX         (TTL expires_at)
  board entry        pk T#{tenant}#BOARD#{yyyy-mm-dd}    sk APPT#{appointment_id}
  board change       pk T#{tenant}#FEED#{yyyy-mm-dd}     sk {ulid}          (TTL expires_at; an
                     appointment's change, or a technician's shifts or events that day)
  technician change  pk T#{tenant}#FEED#TECHNICIANS      sk {ulid}          (TTL expires_at; a
                     profile or device health: every day's row)
  audit entry        pk T#{tenant}#JOB#{job_id}#AUDIT    sk {event_id}      (event ids are ULIDs)
  job note           pk T#{tenant}#JOB#{job_id}#FILES    sk NOTE#{note_id}  (ULIDs: oldest first)
  job photo          pk T#{tenant}#JOB#{job_id}#FILES    sk PHOTO#{photo_id}
  technician         pk T#{tenant}#TECHNICIANS           sk TECH#{technician_id}
  technician's day   pk T#{tenant}#TECH#{technician_id}  sk DAY#{yyyy-mm-dd} (version attribute;
                     its slots, shifts and non-job events)
                     gsi1pk T#{tenant}#DAYS#{yyyy-mm-dd}  gsi1sk TECH#{technician_id}
  crew               pk T#{tenant}#CREWS                  sk CREW#{crew_id}  (version attribute)
  auto-dispatch      pk T#{tenant}#SETTINGS               sk AUTO_DISPATCH
  settings           gsi2pk AUTO_DISPATCH#ENABLED gsi2sk {tenant} while enabled (sparse: the one
                     cross-tenant key, read only by the schedule to list the tenants to plan)
  plan request       pk T#{tenant}#SETTINGS               sk AUTO_DISPATCH#REQUEST (debounce)
  live position      pk T#{tenant}#POSITIONS              sk TECH#{technician_id}

Notify table: see truckroll.persistence.notify.
"""

from __future__ import annotations

from datetime import date


def tenant_prefix(tenant_id: str) -> str:
    if not tenant_id or "#" in tenant_id:
        raise ValueError("a tenant id is required and may not contain '#'")
    return f"T#{tenant_id}"


def customer_pk(tenant_id: str, customer_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#CUST#{customer_id}"


CUSTOMER_SK = "CUSTOMER"


def customer_phone_pk(tenant_id: str, phone: str) -> str:
    return f"{tenant_prefix(tenant_id)}#PHONE#{phone}"


def customer_phone_sk(customer_id: str) -> str:
    return f"CUST#{customer_id}"


def customer_name_pk(tenant_id: str, word: str) -> str:
    """Words are spread over partitions by their first two characters; a search word needs two."""
    return f"{tenant_prefix(tenant_id)}#CNAME#{word[:2]}"


def customer_name_sk(word: str, customer_id: str) -> str:
    return f"{word}#{customer_id}"


def settings_pk(tenant_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#SETTINGS"


def auto_runs_pk(tenant_id: str) -> str:
    """Automatic dispatch's run history: sk the run id, a ULID (the request's event id, or made for
    a plan now), so the newest is last."""
    return f"{tenant_prefix(tenant_id)}#AUTO_RUNS"


BOOKING_SETTINGS_SK = "BOOKING"
LEAD_RECEIVERS_SK = "LEADS"


def lead_pk(tenant_id: str, lead_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#LEAD#{lead_id}"


LEAD_SK = "LEAD"
GUARD_SK = "GUARD"


def leads_of_status_pk(tenant_id: str, status: str) -> str:
    return f"{tenant_prefix(tenant_id)}#LEADS#{status}"


def lead_source_pk(tenant_id: str, source_ref: str) -> str:
    return f"{tenant_prefix(tenant_id)}#LEADSRC#{source_ref}"


def lead_duplicate_pk(tenant_id: str, day: date, duplicate_key: str) -> str:
    return f"{tenant_prefix(tenant_id)}#LEADDUP#{day.isoformat()}#{duplicate_key}"


def webhook_receipt_pk(tenant_id: str, message_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#WHMSG#{message_id}"


def location_sk(location_id: str) -> str:
    return f"LOC#{location_id}"


def job_pk(tenant_id: str, job_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#JOB#{job_id}"


JOB_SK = "JOB"


def appointment_sk(appointment_id: str) -> str:
    return f"APPT#{appointment_id}"


def outbox_pk(tenant_id: str, event_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#OUTBOX#{event_id}"


OUTBOX_SK = "OUTBOX"


def board_pk(tenant_id: str, day: date) -> str:
    return f"{tenant_prefix(tenant_id)}#BOARD#{day.isoformat()}"


def feed_pk(tenant_id: str, day: date) -> str:
    return f"{tenant_prefix(tenant_id)}#FEED#{day.isoformat()}"


def technicians_feed_pk(tenant_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#FEED#TECHNICIANS"


def audit_pk(tenant_id: str, job_id: str) -> str:
    return f"{job_pk(tenant_id, job_id)}#AUDIT"


def job_files_pk(tenant_id: str, job_id: str) -> str:
    return f"{job_pk(tenant_id, job_id)}#FILES"


NOTE_SK_PREFIX = "NOTE#"
PHOTO_SK_PREFIX = "PHOTO#"


def technicians_pk(tenant_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#TECHNICIANS"


def technician_sk(technician_id: str) -> str:
    return f"TECH#{technician_id}"


def tech_day_pk(tenant_id: str, technician_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#TECH#{technician_id}"


def tech_day_sk(day: date) -> str:
    return f"DAY#{day.isoformat()}"


def tech_days_of_date_pk(tenant_id: str, day: date) -> str:
    return f"{tenant_prefix(tenant_id)}#DAYS#{day.isoformat()}"


def crews_pk(tenant_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#CREWS"


def crew_sk(crew_id: str) -> str:
    return f"CREW#{crew_id}"


AUTO_DISPATCH_SK = "AUTO_DISPATCH"
AUTO_DISPATCH_REQUEST_SK = "AUTO_DISPATCH#REQUEST"
AUTO_DISPATCH_ENABLED = "AUTO_DISPATCH#ENABLED"
MAP_SETTINGS_SK = "MAP"


def positions_pk(tenant_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#POSITIONS"


def notify_settings_pk(tenant_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#SETTINGS"


NOTIFY_SETTINGS_SK = "NOTIFY"
DELIVERY_SK_PREFIX = "DELIVERY#"


def delivery_sk(delivery_id: str) -> str:
    return f"{DELIVERY_SK_PREFIX}{delivery_id}"


def message_pk(tenant_id: str, event_id: str) -> str:
    """Deliveries about no job (a board message to technicians), under the event that asked for them."""
    return f"{tenant_prefix(tenant_id)}#MESSAGE#{event_id}"


def delivery_problems_pk(tenant_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#DELIVERY_PROBLEMS"


def sms_number_pk(number: str) -> str:
    return f"SMSNUMBER#{number}"


def sms_number_sk(tenant_id: str) -> str:
    return f"TENANT#{tenant_id}"


def opt_out_pk(tenant_id: str, number: str) -> str:
    return f"{tenant_prefix(tenant_id)}#OPTOUT#{number}"


OPT_OUT_SK = "SMS"


def templates_pk(tenant_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#TEMPLATES"


def technician_devices_pk(tenant_id: str, technician_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#TECH#{technician_id}"


DEVICE_SK_PREFIX = "DEVICE#"


def device_sk(token_hash: str) -> str:
    return f"{DEVICE_SK_PREFIX}{token_hash}"


def due_sk(appointment_id: str, key: str) -> str:
    return f"DUE#{appointment_id}#{key}"


def rate_pk(tenant_id: str, client: str, minute: str) -> str:
    return f"{tenant_prefix(tenant_id)}#RATE#{client}#{minute}"


RATE_SK = "RATE"


def reservation_pk(tenant_id: str, booking_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#RESERVATION#{booking_id}"


RESERVATION_SK = "RESERVATION"


def reserver_pk(tenant_id: str, user_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#RESERVER#{user_id}"


def reservation_token_pk(tenant_id: str, token: str) -> str:
    return f"{tenant_prefix(tenant_id)}#RESERVETOKEN#{token}"


def project_pk(tenant_id: str, project_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#PROJECT#{project_id}"


PROJECT_SK = "PROJECT"


def project_job_sk(job_id: str) -> str:
    return f"JOB#{job_id}"


def estimate_pk(tenant_id: str, estimate_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#ESTIMATE#{estimate_id}"
