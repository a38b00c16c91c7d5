"""The caller's own things: notifications and the calendar feed (api.md «Additions»)."""
from __future__ import annotations

from flask import current_app, url_for
from marshmallow import RAISE, Schema, fields

from web.api.blueprint import api_blueprint
from web.api.common import caller_id, documents, runtime
from web.api.schemas import StrictSchema
from workflows.notifications import calendar_feed, inbox

blp = api_blueprint("api_me", __name__, "/me", "The caller's notifications and calendar feed")


class NotificationSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(allow_none=True)
    kind = fields.String(required=True, metadata={"description": "new_task or escalation"})
    message = fields.String(required=True)
    at = fields.DateTime(required=True)
    read = fields.Boolean(required=True)


class NotificationListSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema), required=True)


class NotificationQuerySchema(StrictSchema):
    unread = fields.Boolean(load_default=False)


class FeedSchema(Schema):
    url = fields.String(required=True, metadata={"description": "the secret address of the iCalendar feed"})


@blp.route("/notifications", methods=["GET"])
@blp.arguments(NotificationQuerySchema, location="query", error_status_code=400, unknown=RAISE)
@blp.response(200, NotificationListSchema)
@documents(blp, 401)
def list_notifications(query):
    """The caller's notifications, newest first (`unread=true`: only those not read yet)."""
    return {"items": inbox.notifications(runtime(), user_id=caller_id(), unread_only=query["unread"])}


@blp.route("/notifications/<int(max=2147483647):notification_id>/read", methods=["POST"])
@blp.response(204)
@documents(blp, 401, 404)
def read(notification_id: int):
    """Mark one of the caller's notifications read."""
    inbox.mark_read(runtime(), user_id=caller_id(), notification_id=notification_id)
    return None


@blp.route("/calendar-feed", methods=["POST"])
@blp.response(201, FeedSchema)
@documents(blp, 401)
def create_feed():
    """A secret address of the caller's deadline feed; a second call rotates it (the old one answers 404)."""
    token = calendar_feed.create_feed(runtime(), user_id=caller_id())
    base = current_app.config.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    return {"url": base + url_for("notifications.feed", token=token)}


@blp.route("/calendar-feed", methods=["DELETE"])
@blp.response(204)
@documents(blp, 401)
def delete_feed():
    """End the caller's feed: its address answers 404 from now on."""
    calendar_feed.delete_feed(runtime(), user_id=caller_id())
    return None
