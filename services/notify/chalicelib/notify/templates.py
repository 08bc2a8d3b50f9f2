"""Message templates: each tenant may replace the text of any message; placeholders are checked
when the text is saved, and a preview renders it with sample values."""

from __future__ import annotations

from typing import Annotated, Any

from chalicelib.notify.ports import Notify
from chalicelib.notify.sending import template_text
from pydantic import BaseModel, ConfigDict, StringConstraints

from truckroll.auth import Principal
from truckroll.domain.notify import (
    CUSTOMER_TEMPLATES,
    DEFAULT_TEXTS,
    PLACEHOLDERS,
    Channel,
    Template,
    UnknownPlaceholders,
    check_template,
    compose,
)
from truckroll.errors import FieldError, NotFound, ValidationFailed

SAMPLE_VALUES = {
    "company": "Cool Air",
    "customer_name": "Dana Reyes",
    "job_type": "AC repair",
    "date": "Tue Mar 3",
    "window": "8:00 AM-12:00 PM",
    "tech_name": "Maria",
    "eta": "9:40 AM",
    "link": "https://track.example.com/l/sample",
    "text": "Please call the office when you can.",
}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class TemplateIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    text: Text


class PreviewIn(BaseModel):
    """Preview a text before saving it; without ``text`` the tenant's current one is shown."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    text: Text | None = None


def template_of(name: str) -> Template:
    try:
        return Template(name)
    except ValueError:
        raise NotFound(f"there is no template {name!r}") from None


def _checked(text: str) -> str:
    try:
        check_template(text)
    except UnknownPlaceholders as error:
        allowed = ", ".join(sorted(PLACEHOLDERS))
        raise ValidationFailed([FieldError("text", f"{error}; known placeholders: {allowed}")]) from error
    return text


def list_templates(principal: Principal, notify: Notify) -> dict[Template, str]:
    principal.require_office()
    saved = notify.templates.all(principal.tenant_id)
    return {t: saved.get(t, DEFAULT_TEXTS[t]) for t in Template}


def put_template(name: str, body: TemplateIn, principal: Principal, notify: Notify) -> tuple[Template, str]:
    principal.require_admin()
    template = template_of(name)
    notify.templates.put(principal.tenant_id, template, _checked(body.text))
    return template, body.text


def preview(name: str, body: PreviewIn, principal: Principal, notify: Notify) -> dict[str, Any]:
    principal.require_office()
    template = template_of(name)
    text = (
        _checked(body.text) if body.text is not None else template_text(notify, principal.tenant_id, template)
    )
    channel = Channel.SMS if template in CUSTOMER_TEMPLATES else Channel.PUSH
    message = compose(template, text, channel, SAMPLE_VALUES)
    return {
        "template": template.value,
        "channel": channel.value,
        "subject": message.subject,
        "text": message.text,
    }


def template_view(template: Template, text: str) -> dict[str, Any]:
    return {
        "template": template.value,
        "text": text,
        "audience": "customer" if template in CUSTOMER_TEMPLATES else "technician",
    }
