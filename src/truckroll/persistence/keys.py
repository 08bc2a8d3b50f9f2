"""Key layout. Every key starts with the tenant id, so no read can cross tenants.

Core table (single-table design; booking and dispatch):
  customer           pk T#{tenant}#CUST#{customer_id}   sk CUSTOMER
  location           pk T#{tenant}#CUST#{customer_id}   sk LOC#{location_id}
  job                pk T#{tenant}#JOB#{job_id}          sk JOB            (version attribute)
  appointment        pk T#{tenant}#JOB#{job_id}          sk APPT#{appointment_id}
  outbox item        pk T#{tenant}#OUTBOX#{event_id}     sk OUTBOX         (TTL expires_at)
  board entry        pk T#{tenant}#BOARD#{yyyy-mm-dd}    sk APPT#{appointment_id}
  board change       pk T#{tenant}#FEED#{yyyy-mm-dd}     sk {ulid}          (TTL expires_at)
  audit entry        pk T#{tenant}#JOB#{job_id}#AUDIT    sk {event_id}      (event ids are ULIDs)
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


def audit_pk(tenant_id: str, job_id: str) -> str:
    return f"{job_pk(tenant_id, job_id)}#AUDIT"


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


def settings_pk(tenant_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#SETTINGS"


AUTO_DISPATCH_SK = "AUTO_DISPATCH"
AUTO_DISPATCH_REQUEST_SK = "AUTO_DISPATCH#REQUEST"
AUTO_DISPATCH_ENABLED = "AUTO_DISPATCH#ENABLED"


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
